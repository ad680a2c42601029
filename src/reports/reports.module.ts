import { Module } from '@nestjs/common';
import { ToolsModule } from '../tools/tools.module.js';
import { ReportsController } from './reports.controller.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardAssets } from './dashboard-assets.js';

/** The report API (/api/v1/reports, admin JWT) and the admin dashboard's static files (/admin). */
@Module({
  imports: [ToolsModule],
  controllers: [ReportsController, DashboardController],
  providers: [ReportsRepository, ReportsService, DashboardAssets],
})
export class ReportsModule {}
