/**
 * Main-thread driver: what a node that may be tried again keeps between its attempts. Resolving
 * a node's arguments releases its parents' results after their last consumer, so a task with
 * retries keeps the inputs of its first attempt for the next ones; and while it waits for its
 * retry delay it has a timer, which fires while the driver's loop awaits (a node, or its wake).
 * The synchronous fast path never comes here: its nodes have no retries.
 */
import type { Node } from '../graph/node.js';
import { NodeState } from '../scheduler/node-state.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import type { NodeInputs } from './main-thread-attempts.js';
import type { ResultStore } from './result-store.js';

export class MainThreadRetries {
  readonly #run: PreparedRun;
  readonly #store: ResultStore;
  /** Node `index`'s delay is over: the driver tells the core and wakes its loop. */
  readonly #due: (index: number) => void;
  readonly #timers = new Map<number, NodeJS.Timeout>();
  /** Inputs of nodes that may be tried again. */
  readonly #kept = new Map<number, NodeInputs>();

  constructor(run: PreparedRun, store: ResultStore, due: (index: number) => void) {
    this.#run = run;
    this.#store = store;
    this.#due = due;
  }

  /**
   * Node `index`'s arguments (and actor object): the ones kept by an earlier attempt, or
   * resolved now, and kept when the node is a task that may be retried.
   *
   * @example
   * const { args, instance } = retries.inputsOf(index);
   */
  inputsOf(index: number): NodeInputs {
    const kept = this.#kept.get(index);
    if (kept !== undefined) return kept;
    const { plan, nodeOptions } = this.#run;
    const { callable } = plan.nodes[index] as Node;
    // The actor's object, read before argumentsFor may release it after its last call.
    const instance =
      callable.kind === 'actor-call'
        ? this.#store.valueOf(plan.indexOf.get(callable.instance) as number)
        : undefined;
    const inputs = { args: this.#store.argumentsFor(index, undefined), instance };
    if ((nodeOptions[index]?.retries ?? 0) > 0 && callable.kind === 'task') this.#kept.set(index, inputs);
    return inputs;
  }

  /**
   * Node `index` will not be tried again (it succeeded, or was stopped): its inputs go.
   *
   * @example
   * retries.forget(index);
   */
  forget(index: number): void {
    this.#kept.delete(index);
  }

  /**
   * Node `index`'s attempt failed and the core was told: its inputs stay only if it now waits
   * for a retry, since none comes once it failed for good.
   *
   * @example
   * this.#tell({ kind: 'attempt-failed', index, error });
   * retries.failed(index);
   */
  failed(index: number): void {
    if (this.#run.core.stateOf(index) !== NodeState.retryWait) this.#kept.delete(index);
  }

  /**
   * Node `index` is tried again after `delayMs`: then it is due (the driver's callback).
   *
   * @example
   * retries.later(instruction.index, instruction.delayMs);
   */
  later(index: number, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(index);
      this.#due(index);
    }, delayMs);
    this.#timers.set(index, timer);
  }

  /**
   * No retry comes any more (the run stops, or is over): every waiting delay is dropped.
   *
   * @example
   * retries.stopTimers();
   */
  stopTimers(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
