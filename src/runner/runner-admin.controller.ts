import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.decorators.js';
import { personaIdPipe } from '../personas/api/persona-id.pipe.js';
import { RunnerStateDto, TickSummaryDto } from './runner.dto.js';
import { RunnerService } from './runner.service.js';

/**
 * The runner's admin switches, next to the personas admin API. The static `runner` paths are
 * declared in a module registered before PersonasModule, so `GET .../runner` is never taken for
 * `GET .../:id`.
 */
@ApiTags('runner')
@Controller('api/v1/personas/admin')
@AdminOnly()
export class RunnerAdminController {
  constructor(@Inject(RunnerService) private readonly runner: RunnerService) {}

  @Get('runner')
  @ApiOperation({ summary: 'Runner state: enabled, paused, in flight, last firing, brain' })
  @ApiOkResponse({ type: RunnerStateDto })
  state(): RunnerStateDto {
    return this.runner.state();
  }

  @Post('runner/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop claiming new ticks (running ones finish)' })
  @ApiOkResponse({ type: RunnerStateDto })
  pause(): RunnerStateDto {
    return this.runner.pause();
  }

  @Post('runner/resume')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resume claiming; also resumes a brain that paused itself (bad key, spend limit)',
  })
  @ApiOkResponse({ type: RunnerStateDto })
  resume(): RunnerStateDto {
    return this.runner.resume();
  }

  @Post(':id/tick')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run this persona now and answer the tick summary (409 while it is leased)' })
  @ApiOkResponse({ type: TickSummaryDto })
  tick(@Param('id', personaIdPipe()) id: string): Promise<TickSummaryDto> {
    return this.runner.runNow(id);
  }
}
