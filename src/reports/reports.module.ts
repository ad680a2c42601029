import { Module } from '@nestjs/common';
import { ToolsModule } from '../tools/tools.module.js';
import { ReportsController } from './reports.controller.js';
import { FindingsReportService } from './findings-report.service.js';
import { FindingsRepository } from './findings.repository.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';
import { TicksReportService } from './ticks-report.service.js';
import { TicksRepository } from './ticks.repository.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardAssets } from './dashboard-assets.js';

/** The report API (/api/v1/reports, admin JWT) and the admin dashboard's static files (/admin). */
@Module({
  imports: [ToolsModule],
  controllers: [ReportsController, DashboardController],
  providers: [
    ReportsRepository,
    TicksRepository,
    FindingsRepository,
    ReportsService,
    TicksReportService,
    FindingsReportService,
    DashboardAssets,
  ],
})
export class ReportsModule {}
