import { FunctionFuseError } from '../errors.js';
import { resolveArguments } from '../graph/arguments.js';
import type { Node } from '../graph/node.js';
import { inspectValue } from '../threads/inspect-value.js';
import type { ExecutionPlan } from '../workflow/plan.js';

/**
 * The results of one run, and who owns their buffers.
 *
 * A result is kept until its last consumer has been dispatched, then released (unless it is a
 * leaf, which run() returns). That last consumer receives the result's typed-array buffers by
 * transfer (moved, not copied); earlier consumers receive structured-clone copies, so no
 * consumer ever sees another's mutations, and a result with one consumer is never copied.
 */
export class ResultStore {
  readonly #plan: ExecutionPlan;
  readonly #results: unknown[];
  readonly #remainingConsumers: Int32Array;

  readonly #actorObjectsStayInThreads: boolean;

  /**
   * @param actorObjectsStayInThreads an actor's object lives in its own thread (ThreadWorkflow):
   *   a node that takes it as an argument is refused. In the main thread it is the object itself.
   */
  constructor(plan: ExecutionPlan, actorObjectsStayInThreads: boolean) {
    this.#plan = plan;
    this.#actorObjectsStayInThreads = actorObjectsStayInThreads;
    this.#results = new Array<unknown>(plan.nodes.length);
    this.#remainingConsumers = plan.consumerCounts();
  }

  /** Keeps a finished node's result if anything will read it. */
  store(index: number, value: unknown): void {
    const plan = this.#plan;
    if ((plan.childIndexes[index] as Int32Array).length > 0 || plan.isLeaf[index] === 1) {
      this.#results[index] = value;
    }
  }

  valueOf(index: number): unknown {
    return this.#results[index];
  }

  /**
   * The resolved arguments of node `index`, about to be dispatched: adds to `transferList` (when
   * given) the buffers of parents for which it is the last consumer, then releases those
   * parents. Without a list, nothing moves: the node gets copies.
   */
  argumentsFor(index: number, transferList: Set<ArrayBuffer> | undefined): unknown[] {
    const plan = this.#plan;
    const node = plan.nodes[index] as Node;
    const moved: unknown[] = [];
    const args = resolveArguments(node, (parentNode) => {
      if (parentNode.callable.kind === 'actor-init' && this.#actorObjectsStayInThreads) {
        throw new FunctionFuseError(
          `Node "${node.name}" takes the object of actor "${parentNode.name}" as an argument. On ThreadWorkflow ` +
            "an actor's object stays in its own thread: call its methods and pass their results instead.",
        );
      }
      const parent = plan.indexOf.get(parentNode) as number;
      const value = this.#results[parent];
      if (transferList !== undefined && this.#remainingConsumers[parent] === 1 && plan.isLeaf[parent] === 0) {
        moved.push(value);
      }
      return value;
    });
    for (const value of moved) {
      for (const buffer of inspectValue(value, true).transferables) transferList?.add(buffer);
    }
    for (const parent of plan.parentIndexes[index] as Int32Array) {
      if (--(this.#remainingConsumers[parent] as number) === 0 && plan.isLeaf[parent] === 0) {
        this.#results[parent] = undefined;
      }
    }
    return args;
  }

  /** The results by plan index: leaves kept, everything else released. */
  get results(): readonly unknown[] {
    return this.#results;
  }
}
