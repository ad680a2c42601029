import { setMaxListeners } from 'node:events';
import { TickStoppedError, TickTimeoutError, describeReason } from './tick-failure.js';

/**
 * One tick's limits as one AbortSignal: its own timeout and the runner's stop signal. `dispose()`
 * clears the timer and the listener (call it once the network part of the tick is over).
 */
export class TickLimit {
  private readonly controller = new AbortController();
  private readonly deadline: number;
  private readonly timer: NodeJS.Timeout;
  private readonly onStop: () => void;

  constructor(
    timeoutMs: number,
    private readonly stop: AbortSignal,
  ) {
    // each MCP request of the tick listens on this signal until the tick ends: a long day of
    // calls passes Node's default warning threshold of 10 listeners without any leak past the tick
    setMaxListeners(1000, this.controller.signal);
    this.deadline = Date.now() + timeoutMs;
    this.timer = setTimeout(() => this.controller.abort(new TickTimeoutError(timeoutMs)), timeoutMs);
    this.onStop = () =>
      this.controller.abort(
        stop.reason instanceof Error ? stop.reason : new TickStoppedError(describeReason(stop.reason)),
      );
    if (stop.aborted) this.onStop();
    else stop.addEventListener('abort', this.onStop, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Milliseconds left before the timeout (at least 1). */
  remaining(): number {
    return Math.max(1, this.deadline - Date.now());
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.stop.removeEventListener('abort', this.onStop);
  }
}
