import { AbortError, NodeExecutionError, WorkflowFailedError } from '../errors.js';
import type { ExecutionPlan } from '../workflow/plan.js';

const pending = 0;
const completed = 1;
const failed = 2;
const skipped = 3;

/**
 * What became of each node in one run, shared by every backend: completed, failed, or skipped
 * because an ancestor failed. It decides when a run must stop (the first failure under
 * `failFast`, or cancellation) and what `run()` rejects with.
 */
export class RunOutcomes {
  readonly #plan: ExecutionPlan;
  readonly #workflowName: string;
  readonly #failFast: boolean;
  readonly #states: Uint8Array;
  readonly #errors = new Map<number, NodeExecutionError>();
  #settled = 0;
  #abortReason: { reason: unknown } | undefined;

  constructor(plan: ExecutionPlan, workflowName: string, failFast: boolean) {
    this.#plan = plan;
    this.#workflowName = workflowName;
    this.#failFast = failFast;
    this.#states = new Uint8Array(plan.nodes.length);
  }

  /** True once nothing new may start: a failure under failFast, or cancellation. */
  get stopped(): boolean {
    return this.#abortReason !== undefined || (this.#failFast && this.#errors.size > 0);
  }

  /** True when every node has completed, failed or been skipped. */
  get allSettled(): boolean {
    return this.#settled === this.#states.length;
  }

  isSkipped(index: number): boolean {
    return this.#states[index] === skipped;
  }

  complete(index: number): void {
    this.#settle(index, completed);
  }

  /** Records a failure; every node downstream of it will be skipped. */
  fail(index: number, error: NodeExecutionError): void {
    if (this.#states[index] !== pending) return;
    this.#errors.set(index, error);
    this.#settle(index, failed);
    const downstream = [...(this.#plan.childIndexes[index] as Int32Array)];
    while (downstream.length > 0) {
      const child = downstream.pop() as number;
      if (this.#states[child] !== pending) continue;
      this.#settle(child, skipped);
      downstream.push(...(this.#plan.childIndexes[child] as Int32Array));
    }
  }

  abort(reason: unknown): void {
    this.#abortReason ??= { reason };
  }

  /** What run() rejects with, or undefined when every node completed. */
  finalError(): Error | undefined {
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
