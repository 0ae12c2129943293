import { AbortError, NodeExecutionError, WorkflowFailedError } from '../errors.js';
import { eventTime, type WorkflowEvents } from '../events/workflow-events.js';
import type { ExecutionPlan } from '../workflow/plan.js';

const pending = 0;
const completed = 1;
const failed = 2;
const skipped = 3;
const cancelled = 4;

/**
 * What became of each node in one run, shared by every backend: completed, failed, skipped
 * (an ancestor failed, or the run stopped at a failure before reaching it) or cancelled. It
 * decides when a run must stop (the first failure under `failFast`, or cancellation) and what
 * `run()` rejects with, and it reports retries, so every backend counts them the same way.
 */
export class RunOutcomes {
  readonly #plan: ExecutionPlan;
  readonly #workflowName: string;
  readonly #failFast: boolean;
  readonly #states: Uint8Array;
  readonly #errors = new Map<number, NodeExecutionError>();
  readonly #events: WorkflowEvents | undefined;
  readonly #startedAt = eventTime();
  #settled = 0;
  #cached = 0;
  #retries = 0;
  #abortReason: { reason: unknown } | undefined;
  #breakdown: Error | undefined;

  constructor(plan: ExecutionPlan, workflowName: string, failFast: boolean, events?: WorkflowEvents) {
    this.#plan = plan;
    this.#workflowName = workflowName;
    this.#failFast = failFast;
    this.#states = new Uint8Array(plan.nodes.length);
    this.#events = events;
    events?.emit('run-started', { workflow: workflowName, nodes: plan.nodes.length, time: this.#startedAt });
  }

  /** True once nothing new may start: a failure under failFast, or cancellation. */
  get stopped(): boolean {
    return (
      this.#breakdown !== undefined ||
      this.#abortReason !== undefined ||
      (this.#failFast && this.#errors.size > 0)
    );
  }

  /** True when every node has completed, failed or been skipped. */
  get allSettled(): boolean {
    return this.#settled === this.#states.length;
  }

  isSkipped(index: number): boolean {
    return this.#states[index] === skipped;
  }

  /** `cached`: its result was read from storage instead of being computed. */
  complete(index: number, cached = false): void {
    this.#settle(index, completed);
    if (cached) {
      this.#cached++;
      if (this.#events?.has('node-cached')) {
        this.#events.emit('node-cached', { node: this.#nodeName(index), index, time: eventTime() });
      }
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

  /** Records a failure; every node downstream of it will be skipped. */
  fail(index: number, error: NodeExecutionError): void {
    if (this.#states[index] !== pending) return;
    this.#errors.set(index, error);
    this.#settle(index, failed);
    this.#events?.emit('node-failed', { node: error.nodeName, index, time: eventTime(), error });
    const downstream = [...(this.#plan.childIndexes[index] as Int32Array)];
    while (downstream.length > 0) {
      const child = downstream.pop() as number;
      if (this.#states[child] !== pending) continue;
      this.#settle(child, skipped);
      this.#events?.emit('node-skipped', { node: this.#nodeName(child), index: child, time: eventTime() });
      downstream.push(...(this.#plan.childIndexes[child] as Int32Array));
    }
  }

  /**
   * Reports the end of the run: call once, after it settled. Nodes that never settled were
   * stopped: cancelled when the run was, else skipped (the run stopped at a failure before
   * reaching them), each with its event, so every count adds up to the run's node count.
   */
  finish(): void {
    const unsettledAs = this.#abortReason !== undefined ? cancelled : skipped;
    const eventName = unsettledAs === cancelled ? 'node-cancelled' : 'node-skipped';
    const announce = this.#events?.has(eventName) === true;
    for (let index = 0; index < this.#states.length; index++) {
      if (this.#states[index] !== pending) continue;
      this.#settle(index, unsettledAs);
      if (announce) this.#events?.emit(eventName, { node: this.#nodeName(index), index, time: eventTime() });
    }
    if (!this.#events?.has('run-finished')) return;
    const count = (state: number) =>
      this.#states.reduce((total, each) => total + (each === state ? 1 : 0), 0);
    const time = eventTime();
    const error = this.finalError();
    this.#events.emit('run-finished', {
      workflow: this.#workflowName,
      time,
      durationMs: time - this.#startedAt,
      ok: error === undefined,
      status: error === undefined ? 'completed' : error instanceof AbortError ? 'cancelled' : 'failed',
      completed: count(completed) - this.#cached,
      cached: this.#cached,
      failed: count(failed),
      skipped: count(skipped),
      cancelled: count(cancelled),
      retries: this.#retries,
    });
  }

  #nodeName(index: number): string {
    return (this.#plan.nodes[index] as { name: string }).name;
  }

  abort(reason: unknown): void {
    this.#abortReason ??= { reason };
  }

  /** A bug in functionfuse stopped the run: it rejects with that error. */
  breakDown(error: Error): void {
    this.#breakdown ??= error;
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
    const skippedNames = this.#plan.nodes
      .filter((_, index) => this.#states[index] === skipped)
      .map((node) => node.name);
    return new WorkflowFailedError(this.#workflowName, inCanonicalOrder, skippedNames);
  }

  /** Under failFast, the failure that stopped the run (the first one to happen). */
  get #firstError(): NodeExecutionError | undefined {
    return this.#errors.values().next().value;
  }

  #settle(index: number, state: number): void {
    if (this.#states[index] !== pending) return;
    this.#states[index] = state;
    this.#settled++;
  }
}

/** The error of a node that failed after `attempts` tries. */
export function nodeFailure(nodeName: string, cause: unknown, attempts = 1): NodeExecutionError {
  return cause instanceof NodeExecutionError && cause.nodeName === nodeName
    ? cause
    : new NodeExecutionError(nodeName, cause, attempts);
}
