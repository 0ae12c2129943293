/**
 * The counts a progress display shows, kept up to date from a workflow's events. Apart from
 * the display so the bar and the plain lines count the same way.
 */
import type { WorkflowEventListener, WorkflowEventName } from '../events/workflow-events.js';

/**
 * What the tally needs of a workflow: its events.
 *
 * @example
 * const source: ProgressSource = new ThreadWorkflow(leaf, { workflowName: 'demo' });
 */
export interface ProgressSource {
  on<K extends WorkflowEventName>(name: K, listener: WorkflowEventListener<K>): unknown;
}

/**
 * Counts of a run at one moment.
 *
 * @example
 * const { done, total } = tally.snapshot();
 */
export interface ProgressSnapshot {
  readonly workflow: string;
  readonly total: number;
  /** Completed: run, or read from storage. */
  readonly done: number;
  readonly running: number;
  readonly failed: number;
  readonly cached: number;
  /** Nodes whose stored result was stale (computed under another cache key): they run again. */
  readonly stale: number;
  readonly skipped: number;
  /** Stopped or never started because the run was cancelled. */
  readonly cancelled: number;
  /** Failed attempts that were tried again, over every node. */
  readonly retries: number;
  readonly elapsedMs: number;
  /** Remaining time at the rate nodes settled so far; undefined before any node settled. */
  readonly etaMs: number | undefined;
  readonly finished: boolean;
  /** How the run ended; undefined while it runs. */
  readonly status: 'completed' | 'failed' | 'cancelled' | undefined;
}

/**
 * Counts nodes as a run goes: done, running now, failed, cached, skipped, cancelled, and the
 * retries. Running means handed to a thread and not yet settled.
 *
 * @example
 * const tally = new ProgressTally(wf);
 * tally.onChange = () => render(tally.snapshot());
 */
export class ProgressTally {
  /** Called after every change of the counts and when the run starts or finishes. */
  onChange: ((event: 'started' | 'changed' | 'finished') => void) | undefined;
  #workflow = '';
  #total = 0;
  #done = 0;
  #failed = 0;
  #cached = 0;
  #stale = 0;
  #skipped = 0;
  #cancelled = 0;
  #retries = 0;
  #status: ProgressSnapshot['status'];
  #startedAt: number | undefined;
  #finishedAt: number | undefined;
  readonly #running = new Set<number>();

  constructor(workflow: ProgressSource) {
    workflow.on('run-started', (event) => {
      this.#workflow = event.workflow;
      this.#total = event.nodes;
      this.#done =
        this.#failed =
        this.#cached =
        this.#stale =
        this.#skipped =
        this.#cancelled =
        this.#retries =
          0;
      this.#status = undefined;
      this.#running.clear();
      // Elapsed time is measured here, in this process's clock, not from event times, so
      // it keeps moving between events.
      this.#startedAt = performance.now();
      this.#finishedAt = undefined;
      this.onChange?.('started');
    });
    workflow.on('node-started', (event) => {
      this.#running.add(event.index);
      this.onChange?.('changed');
    });
    workflow.on('node-finished', (event) => this.#settle(event.index, 'done'));
    workflow.on('node-cached', (event) => this.#settle(event.index, 'cached'));
    workflow.on('node-failed', (event) => this.#settle(event.index, 'failed'));
    workflow.on('node-skipped', (event) => this.#settle(event.index, 'skipped'));
    workflow.on('node-cancelled', (event) => this.#settle(event.index, 'cancelled'));
    workflow.on('node-stale', () => {
      this.#stale++;
      this.onChange?.('changed');
    });
    workflow.on('node-retried', () => {
      this.#retries++;
      this.onChange?.('changed');
    });
    workflow.on('run-finished', (event) => {
      this.#finishedAt = performance.now();
      this.#status = event.status;
      this.#running.clear();
      this.onChange?.('finished');
    });
  }

  /** Whether a run has started (and so a display has something to show). */
  get started(): boolean {
    return this.#startedAt !== undefined;
  }

  snapshot(): ProgressSnapshot {
    const end = this.#finishedAt ?? performance.now();
    const elapsedMs = this.#startedAt === undefined ? 0 : end - this.#startedAt;
    const settled = this.#done + this.#failed + this.#skipped + this.#cancelled;
    const remaining = this.#total - settled;
    return {
      workflow: this.#workflow,
      total: this.#total,
      done: this.#done,
      running: this.#running.size,
      failed: this.#failed,
      cached: this.#cached,
      stale: this.#stale,
      skipped: this.#skipped,
      cancelled: this.#cancelled,
      retries: this.#retries,
      elapsedMs,
      etaMs: settled === 0 ? undefined : (elapsedMs / settled) * remaining,
      finished: this.#finishedAt !== undefined,
      status: this.#status,
    };
  }

  #settle(index: number, as: 'done' | 'cached' | 'failed' | 'skipped' | 'cancelled'): void {
    this.#running.delete(index);
    if (as === 'done' || as === 'cached') this.#done++;
    if (as === 'cached') this.#cached++;
    if (as === 'failed') this.#failed++;
    if (as === 'skipped') this.#skipped++;
    if (as === 'cancelled') this.#cancelled++;
    this.onChange?.('changed');
  }
}
