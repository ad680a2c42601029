import { Controller, Get, Inject, Param, ParseUUIDPipe, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.decorators.js';
import { FindingsReportService } from './findings-report.service.js';
import { ReportsService } from './reports.service.js';
import { TicksReportService } from './ticks-report.service.js';
import {
  FindingsReportQueryDto,
  ModulesReportQueryDto,
  SaidVsDidQueryDto,
  TicksQueryDto,
  ToolsReportQueryDto,
} from './reports-query.dto.js';
import { FindingsReportDto } from './findings-response.dto.js';
import {
  ModulesReportDto,
  OverviewDto,
  SaidVsDidReportDto,
  TickDetailDto,
  TicksPageDto,
  ToolsReportDto,
} from './reports-response.dto.js';

/** What the personas found, for admins (and the /admin dashboard). Every list is bounded and paged. */
@ApiTags('reports')
@AdminOnly()
@Controller('api/v1/reports')
export class ReportsController {
  constructor(
    @Inject(ReportsService) private readonly reports: ReportsService,
    @Inject(FindingsReportService) private readonly findingsReport: FindingsReportService,
    @Inject(TicksReportService) private readonly ticksReport: TicksReportService,
  ) {}

  @Get('overview')
  @ApiOkResponse({ type: OverviewDto, description: '"Today" is the current UTC day.' })
  overview(): Promise<OverviewDto> {
    return this.reports.overview();
  }

  @Get('findings')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    type: FindingsReportDto,
    description:
      "The app's findings (or, with personaMistakes=true, the personas' own mistakes) by module, tool and class. With format=csv: the same groups as text/csv, one row per group, as an attachment named findings-<UTC date>.csv.",
  })
  async findings(@Query() query: FindingsReportQueryDto): Promise<FindingsReportDto | StreamableFile> {
    if (query.format !== 'csv') return this.findingsReport.findings(query);
    const file = await this.findingsReport.findingsCsv(query);
    return new StreamableFile(Buffer.from(file.body, 'utf8'), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${file.filename}"`,
    });
  }

  @Get('modules')
  @ApiOkResponse({ type: ModulesReportDto })
  modules(@Query() query: ModulesReportQueryDto): Promise<ModulesReportDto> {
    return this.reports.modules(query);
  }

  @Get('tools')
  @ApiOkResponse({ type: ToolsReportDto })
  tools(@Query() query: ToolsReportQueryDto): Promise<ToolsReportDto> {
    return this.reports.tools(query);
  }

  @Get('said-vs-did')
  @ApiOkResponse({ type: SaidVsDidReportDto })
  saidVsDid(@Query() query: SaidVsDidQueryDto): Promise<SaidVsDidReportDto> {
    return this.reports.saidVsDid(query);
  }

  @Get('ticks')
  @ApiOkResponse({ type: TicksPageDto })
  ticks(@Query() query: TicksQueryDto): Promise<TicksPageDto> {
    return this.ticksReport.ticks(query);
  }

  @Get('ticks/:id')
  @ApiOkResponse({ type: TickDetailDto })
  tick(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string): Promise<TickDetailDto> {
    return this.ticksReport.tick(id);
  }
}
