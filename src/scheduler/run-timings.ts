import { eventTime, type WorkflowEvents } from '../events/workflow-events.js';
import type { NodeTiming } from './run-events.js';

/**
 * Reports when nodes are queued, started and finished, with their wait and run times. Nothing
 * is measured when nobody listens: a run without listeners pays one boolean test per node.
 */
export class RunTimings {
  readonly #events: WorkflowEvents;
  /** Whether anyone listens to node timings. */
  readonly enabled: boolean;
  /** When each node was queued, for its wait time (only when enabled). */
  readonly #queuedAt: Float64Array;

  constructor(events: WorkflowEvents, nodeCount: number) {
    this.#events = events;
    this.enabled = events.has('node-queued') || events.has('node-started') || events.has('node-finished');
    this.#queuedAt = new Float64Array(this.enabled ? nodeCount : 0);
  }

  queued(index: number, node: string): void {
    if (!this.enabled) return;
    const time = eventTime();
    this.#queuedAt[index] = time;
    this.#events.emit('node-queued', { node, index, time });
  }

  started(index: number, node: string): void {
    if (this.enabled) this.#events.emit('node-started', { node, index, time: eventTime() });
  }

  finished(index: number, node: string, timing: NodeTiming, bytesMoved: number): void {
    if (!this.enabled) return;
    this.#events.emit('node-finished', {
      node,
      index,
      time: eventTime(),
      threadId: timing.threadId,
      ...(timing.worker === undefined ? {} : { worker: timing.worker }),
      startedAt: timing.startedAt,
      durationMs: timing.durationMs,
      waitMs: Math.max(0, timing.startedAt - (this.#queuedAt[index] as number)),
      bytesMoved,
      ...(timing.startup === undefined ? {} : { startup: timing.startup }),
    });
  }
}
