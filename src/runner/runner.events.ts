import { Injectable, Logger } from '@nestjs/common';

/** Emitted right after a tool call has been written to the audit trail. */
export interface ActionRecordedEvent {
  personaId: string;
  tickId: string;
  seq: number;
  toolName: string;
  ok: boolean;
}

type ActionListener = (event: ActionRecordedEvent) => void;

/** In-process notifications of what ticks are doing (live views, operators' hooks, tests). */
@Injectable()
export class RunnerEvents {
  private readonly logger = new Logger(RunnerEvents.name);
  private readonly listeners = new Set<ActionListener>();

  onAction(listener: ActionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A listener that throws is logged and never disturbs the tick. */
  emitAction(event: ActionRecordedEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn(`action listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
