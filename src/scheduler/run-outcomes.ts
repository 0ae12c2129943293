import { AbortError, NodeExecutionError, WorkflowFailedError } from '../errors.js';
import { eventTime, type WorkflowEvents } from '../events/workflow-events.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import type { NodePlace } from './run-events.js';

/**
 * How one run ends, and what it reports on the way, the same on every backend: the run core
 * tells it each node's final state (completed, failed, skipped or cancelled) and each retry; it
 * emits their events, decides when the run must stop (the first failure under `failFast`, a
 * cancellation, a breakdown) and what `run()` rejects with.
 */
export class RunOutcomes {
  readonly #plan: ExecutionPlan;
  readonly #workflowName: string;
  readonly #failFast: boolean;
  readonly #errors = new Map<number, NodeExecutionError>();
  readonly #skipped: number[] = [];
  readonly #events: WorkflowEvents | undefined;
  readonly #startedAt = eventTime();
  #completed = 0;
  #cached = 0;
  #cancelled = 0;
  #retries = 0;
  #abortReason: { reason: unknown } | undefined;
  #breakdown: Error | undefined;
  #stopped = false;

  constructor(plan: ExecutionPlan, workflowName: string, failFast: boolean, events?: WorkflowEvents) {
    this.#plan = plan;
    this.#workflowName = workflowName;
    this.#failFast = failFast;
    this.#events = events;
    events?.emit('run-started', { workflow: workflowName, nodes: plan.nodes.length, time: this.#startedAt });
  }

  /**
   * True once nothing new may start: a failure under failFast, a cancellation or a breakdown.
   * A field set where those happen: the run core asks several times per node.
   */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** True once the run was cancelled through its signal. */
  get cancelled(): boolean {
    return this.#abortReason !== undefined;
  }

  /** `cached`: its result was read from storage instead of being computed. */
  complete(index: number, cached: boolean): void {
    this.#completed++;
    if (!cached) return;
    this.#cached++;
    if (this.#events?.has('node-cached')) {
      this.#events.emit('node-cached', { node: this.#nodeName(index), index, time: eventTime() });
    }
  }

  /** `place`: the thread its last attempt ran on, when known. */
  fail(index: number, error: NodeExecutionError, place?: NodePlace): void {
    this.#errors.set(index, error);
    if (this.#failFast) this.#stopped = true;
    this.#events?.emit('node-failed', { node: error.nodeName, index, time: eventTime(), error, ...place });
  }

  /** Not run: an ancestor failed, or the run stopped at a failure before reaching it. */
  skip(index: number): void {
    this.#skipped.push(index);
    if (this.#events?.has('node-skipped')) {
      this.#events.emit('node-skipped', { node: this.#nodeName(index), index, time: eventTime() });
    }
  }

  /** Stopped, or never started, because the run was cancelled. */
  cancel(index: number): void {
    this.#cancelled++;
    if (this.#events?.has('node-cancelled')) {
      this.#events.emit('node-cancelled', { node: this.#nodeName(index), index, time: eventTime() });
    }
  }

  /** An attempt of the node failed and it goes again after `delayMs`: reported, and counted. */
  retried(index: number, attempt: number, error: unknown, delayMs: number): void {
    this.#retries++;
    this.#events?.emit('node-retried', {
      node: this.#nodeName(index),
      index,
      time: eventTime(),
      attempt,
      error,
      delayMs,
    });
  }

  /** Reports the end of the run: call once, after every node reached its final state. */
  finish(): void {
    if (!this.#events?.has('run-finished')) return;
    const time = eventTime();
    const error = this.finalError();
    this.#events.emit('run-finished', {
      workflow: this.#workflowName,
      time,
      durationMs: time - this.#startedAt,
      ok: error === undefined,
      status: error === undefined ? 'completed' : error instanceof AbortError ? 'cancelled' : 'failed',
      completed: this.#completed - this.#cached,
      cached: this.#cached,
      failed: this.#errors.size,
      skipped: this.#skipped.length,
      cancelled: this.#cancelled,
      retries: this.#retries,
    });
  }

  #nodeName(index: number): string {
    return (this.#plan.nodes[index] as { name: string }).name;
  }

  abort(reason: unknown): void {
    this.#abortReason ??= { reason };
    this.#stopped = true;
  }

  /** A bug in functionfuse stopped the run: it rejects with that error. */
  breakDown(error: Error): void {
    this.#breakdown ??= error;
    this.#stopped = true;
  }

  /** What run() rejects with, or undefined when every node completed. */
  finalError(): Error | undefined {
    if (this.#breakdown !== undefined) return this.#breakdown;
    if (this.#abortReason !== undefined) {
      const { reason } = this.#abortReason;
      return new AbortError(`Workflow "${this.#workflowName}" was cancelled`, { cause: reason });
    }
    if (this.#errors.size === 0) return undefined;
    const inCanonicalOrder = [...this.#errors.entries()].sort(([a], [b]) => a - b).map(([, error]) => error);
    if (this.#failFast) return this.#firstError ?? inCanonicalOrder[0];
    const skippedNames = [...this.#skipped].sort((a, b) => a - b).map((index) => this.#nodeName(index));
    return new WorkflowFailedError(this.#workflowName, inCanonicalOrder, skippedNames);
  }

  /** Under failFast, the failure that stopped the run (the first one to happen). */
  get #firstError(): NodeExecutionError | undefined {
    return this.#errors.values().next().value;
  }
}

/** The error of a node that failed after `attempts` tries. */
export function nodeFailure(nodeName: string, cause: unknown, attempts = 1): NodeExecutionError {
  return cause instanceof NodeExecutionError && cause.nodeName === nodeName
    ? cause
    : new NodeExecutionError(nodeName, cause, attempts);
}
