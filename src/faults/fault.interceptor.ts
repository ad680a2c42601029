import { Inject, Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SpaceWrite, SpaceWriteInterceptor } from '../modules/common/space-write.interceptor.js';
import { ToolError } from '../tool-contract/tool.error.js';
import type { ToolCall, ToolCallInterceptor, ToolCallNext } from '../tool-contract/tool-call.interceptor.js';
import type { FaultEffect } from './fault-catalog.js';
import { FaultsService } from './faults.service.js';
import type { ActiveFault } from './faults.service.js';

type Effect<K extends FaultEffect['kind']> = Extract<FaultEffect, { kind: K }>;

/**
 * Where the planted defects take effect; bound to both seams by FaultsModule:
 *
 * - around every tool call (TOOL_CALL_INTERCEPTORS): asks FaultsService which plants on the tool
 *   apply to this call (a coin per plant), then applies their catalog effects: an `error` fails the
 *   call, a `delay` waits, `input` rewrites change what the tool reads, `answer` rewrites what it
 *   answers, and a `lost_write` runs the tool inside this call's lost-write scope;
 * - on every space-data write (SPACE_WRITE_INTERCEPTORS): a write made inside that scope is
 *   discarded (answered as stored, not stored).
 *
 * The scope is an AsyncLocalStorage owned here, so a lost write belongs to exactly the call whose
 * coin chose it, whatever else runs at the same time.
 */
@Injectable()
export class FaultInterceptor implements ToolCallInterceptor, SpaceWriteInterceptor {
  private readonly lostWrites = new AsyncLocalStorage<string>();

  constructor(@Inject(FaultsService) private readonly faults: FaultsService) {}

  async around(call: ToolCall, next: ToolCallNext): Promise<unknown> {
    const planted = this.faults.appliesTo(call.tool);
    if (planted.length === 0) return next(call.input);

    if (planted.some((f) => f.defect.effect.kind === 'error')) {
      throw new ToolError(`${call.tool} is temporarily unavailable; try again in a moment`, 'UNAVAILABLE');
    }
    for (const fault of planted) {
      if (fault.defect.effect.kind !== 'delay') continue;
      const ms = this.faults.delayFor(fault);
      if (ms > 0) await sleep(ms);
    }
    const input = effects(planted, 'input').reduce((given, effect) => effect.rewrite(given), call.input);

    const lost = planted.find((f) => f.defect.effect.kind === 'lost_write');
    const tool: ToolCallNext = lost ? (given) => this.lostWrites.run(lost.id, () => next(given)) : next;
    const run = effects(planted, 'answer').reduceRight<ToolCallNext>(
      (inner, effect) => async (given) =>
        effect.rewrite(await inner(effect.widen ? effect.widen(given) : given), given),
      tool,
    );
    return run(input);
  }

  intercept(_write: SpaceWrite): 'store' | 'discard' {
    return this.lostWrites.getStore() === undefined ? 'store' : 'discard';
  }
}

/** The effects of one kind among the plants, in catalog order. */
function effects<K extends FaultEffect['kind']>(planted: ActiveFault[], kind: K): Array<Effect<K>> {
  return planted.map((f) => f.defect.effect).filter((e): e is Effect<K> => e.kind === kind);
}
