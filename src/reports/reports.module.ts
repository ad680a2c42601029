import { Module } from '@nestjs/common';
import { PersonasModule } from '../personas/personas.module.js';
import { ToolsModule } from '../tools/tools.module.js';
import { ReportsController } from './reports.controller.js';
import { FindingsReportService } from './findings-report.service.js';
import { FindingsRepository } from './findings.repository.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';
import { TicksReportService } from './ticks-report.service.js';
import { TicksRepository } from './ticks.repository.js';
import { DashboardController } from './dashboard.controller.js';
import { RootRedirectController } from './root-redirect.controller.js';
import { DashboardAssets } from './dashboard-assets.js';

/** The report API (/api/v1/reports, admin JWT), the admin dashboard's static files (/admin) and `/` → /admin. */
@Module({
  // PersonasModule: only TrajectoryCipher, to open what a call kept for the tick detail
  imports: [ToolsModule, PersonasModule],
  controllers: [ReportsController, DashboardController, RootRedirectController],
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
