/**
 * Where a benchmarked pipeline spends its time: each node's durations over the warm runs, from
 * the `node-finished` events every backend emits. Listening is opt-in (`nodes: true`): a
 * workflow nobody listens to builds no events, so the plain benchmark measures none of this.
 */
import type { WorkflowEventListener } from '../events/workflow-events.js';
import type { BaseWorkflow } from '../workflow/base-workflow.js';

/**
 * One node of a benchmark row: the median of its function's durations over the warm runs
 * (on its thread, without the wait for a thread or the thread's start-up).
 *
 * @example
 * const slowest = row.nodes?.[0]; // { name: 'simulate batch 3', medianMs: 212.4, runs: 12 }
 */
export interface NodeTiming {
  readonly name: string;
  readonly medianMs: number;
  /** How many warm runs ran it (a node read from a cache or skipped is not counted). */
  readonly runs: number;
}

/**
 * Collects node durations of one workflow while `recording` is on (the warm runs), and
 * summarises them as {@link NodeTiming}s, slowest first.
 *
 * @example
 * const durations = new NodeDurations(workflow);
 * durations.recording = true; await workflow.run(); durations.stop();
 * durations.timings(); // [{ name: 'train', medianMs: 812, runs: 1 }, ...]
 */
export class NodeDurations {
  /** Whether finished nodes are counted now: off during the cold run. */
  recording = false;
  readonly #workflow: BaseWorkflow;
  readonly #durations = new Map<string, number[]>();
  readonly #listener: WorkflowEventListener<'node-finished'> = (event) => {
    if (!this.recording) return;
    const durations = this.#durations.get(event.node);
    if (durations === undefined) this.#durations.set(event.node, [event.durationMs]);
    else durations.push(event.durationMs);
  };

  constructor(workflow: BaseWorkflow) {
    this.#workflow = workflow;
    workflow.on('node-finished', this.#listener);
  }

  /** Stops listening to the workflow. */
  stop(): void {
    this.#workflow.off('node-finished', this.#listener);
  }

  /** Every node that ran while recording, slowest median first; ties by name. */
  timings(): NodeTiming[] {
    return [...this.#durations]
      .map(([name, durations]) => ({ name, medianMs: median(durations), runs: durations.length }))
      .sort((a, b) => b.medianMs - a.medianMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
