import { FunctionFuseError } from '../errors.js';
import { resolveArguments, resolveRef } from '../graph/arguments.js';
import { type Node, Ref } from '../graph/node.js';
import { sharedResultToken } from '../threads/shared-memory-pressure.js';
import { shareResultMemory } from '../threads/shared-result.js';
import { inspectValue } from '../util/inspect-value.js';
import type { ExecutionPlan } from '../workflow/plan.js';

/**
 * The results of one run, and who owns their buffers.
 *
 * A result is kept until its last consumer has been dispatched, then released (unless it is a
 * leaf, which run() returns). That last consumer receives the result's typed-array buffers by
 * transfer (moved, not copied); earlier consumers receive structured-clone copies, so no
 * consumer ever sees another's mutations, and a result with one consumer is never copied.
 * Memory that is shared (SharedArrayBuffer) is never moved nor copied: every consumer views it.
 */
export class ResultStore {
  readonly #plan: ExecutionPlan;
  readonly #results: unknown[];
  readonly #remainingConsumers: Int32Array;

  readonly #actorObjectsStayInThreads: boolean;
  readonly #shareResult: readonly boolean[] | undefined;
  /**
   * By plan index, the token and shared byte length of each result that holds shared memory
   * (threads/shared-memory-pressure.ts); made when the first one comes.
   */
  #sharedResults: Map<number, readonly [token: number, bytes: number]> | undefined;

  /**
   * @param actorObjectsStayInThreads an actor's object lives in its own thread (ThreadWorkflow):
   *   a node that takes it as an argument is refused. In the main thread it is the object itself.
   * @param shareResult by plan index, the nodes whose results are kept in shared memory (their
   *   `shareResult` option, on threads). A worker shares what it computed; what reaches the
   *   store otherwise (a stored result read back, an actor's) is shared here, once.
   */
  constructor(plan: ExecutionPlan, actorObjectsStayInThreads: boolean, shareResult?: readonly boolean[]) {
    this.#plan = plan;
    this.#actorObjectsStayInThreads = actorObjectsStayInThreads;
    this.#shareResult = shareResult?.includes(true) === true ? shareResult : undefined;
    this.#results = new Array<unknown>(plan.nodes.length);
    this.#remainingConsumers = plan.consumerCounts();
  }

  /**
   * Keeps a finished node's result if anything will read it: a leaf's, or one a child still has
   * to read (children chained in its batch already did).
   */
  store(index: number, value: unknown): void {
    if ((this.#remainingConsumers[index] as number) > 0 || this.#plan.isLeaf[index] === 1) {
      if (this.#shareResult?.[index] === true) {
        // What reached the store unshared (read back from storage, an actor's) is shared here,
        // and nothing has said how much it holds; a worker's shared result comes back as it is.
        const shared = shareResultMemory(value);
        if (shared !== value) this.markShared(index, inspectValue(shared, true).sharedBytes);
        this.#results[index] = shared;
      } else this.#results[index] = value;
    }
  }

  /** Notes that node `index`'s result holds `bytes` of shared memory (its worker said so). */
  markShared(index: number, bytes: number): void {
    if (bytes === 0) return;
    this.#sharedResults ??= new Map();
    this.#sharedResults.set(index, [sharedResultToken(), bytes]);
  }

  /**
   * The shared results among node `index`'s parents, as token and byte-length pairs, for the
   * worker that receives them to tell its collector of (threads/shared-memory-pressure.ts);
   * undefined when none holds shared memory (the common case, answered at once).
   */
  sharedInputsOf(index: number): number[] | undefined {
    const sharedResults = this.#sharedResults;
    if (sharedResults === undefined) return undefined;
    let pairs: number[] | undefined;
    const { parentStart, parentList } = this.#plan;
    const end = parentStart[index + 1] as number;
    for (let edge = parentStart[index] as number; edge < end; edge++) {
      const shared = sharedResults.get(parentList[edge] as number);
      if (shared === undefined) continue;
      pairs ??= [];
      pairs.push(shared[0], shared[1]);
    }
    return pairs;
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
    if (transferList === undefined && !this.#actorObjectsStayInThreads) {
      // The main thread's path: values as they are, nothing to check or move.
      const args = node.hasNestedRefs
        ? resolveArguments(node, this.#valueOfNode)
        : this.#topLevelArguments(index, node);
      this.release(index);
      return args;
    }
    const moved: unknown[] = [];
    const args = node.argumentsAreParents
      ? this.#parentResults(index, node, transferList, moved)
      : resolveArguments(node, (parentNode) => {
          const parent = plan.indexOf.get(parentNode) as number;
          if (this.#actorObjectsStayInThreads) this.#refuseActorObject(node, parent);
          const value = this.#results[parent];
          if (
            transferList !== undefined &&
            this.#remainingConsumers[parent] === 1 &&
            plan.isLeaf[parent] === 0
          ) {
            moved.push(value);
          }
          return value;
        });
    for (const value of moved) {
      for (const buffer of inspectValue(value, true).transferables) transferList?.add(buffer);
    }
    this.release(index);
    return args;
  }

  /**
   * The arguments of a node whose arguments are its parents themselves, in order, for a worker:
   * each parent's result, with those it is the last consumer of added to `moved`.
   */
  #parentResults(
    index: number,
    node: Node,
    transferList: Set<ArrayBuffer> | undefined,
    moved: unknown[],
  ): unknown[] {
    const plan = this.#plan;
    const { parentList, isLeaf } = plan;
    const start = plan.parentStart[index] as number;
    const resolved = new Array<unknown>(node.argumentCount);
    for (let position = 0; position < resolved.length; position++) {
      const parent = parentList[start + position] as number;
      if (this.#actorObjectsStayInThreads) this.#refuseActorObject(node, parent);
      const value = this.#results[parent];
      if (transferList !== undefined && this.#remainingConsumers[parent] === 1 && isLeaf[parent] === 0)
        moved.push(value);
      resolved[position] = value;
    }
    return resolved;
  }

  #refuseActorObject(node: Node, parent: number): void {
    const parentNode = this.#plan.nodes[parent] as Node;
    if (parentNode.callable.kind !== 'actor-init') return;
    throw new FunctionFuseError(
      `Node "${node.name}" takes the object of actor "${parentNode.name}" as an argument. On ThreadWorkflow ` +
        "an actor's object stays in its own thread: call its methods and pass their results instead.",
    );
  }

  /**
   * Arguments that hold references only at the top level. A node's parents are listed in the
   * order its arguments name them, so each reference is matched to the next parent by identity,
   * without a map lookup; one that does not match (a parent named twice) is looked up.
   */
  #topLevelArguments(index: number, node: Node): unknown[] {
    const plan = this.#plan;
    const { parentList } = plan;
    const parentsEnd = plan.parentStart[index + 1] as number;
    const count = node.argumentCount;
    const resolved = new Array<unknown>(count);
    let next = plan.parentStart[index] as number;
    if (node.argumentsAreParents) {
      // The arguments are the parents themselves, in order (see Node.parents): no test per argument.
      for (let position = 0; position < count; position++) {
        resolved[position] = this.#results[parentList[next + position] as number];
      }
      return resolved;
    }
    for (let position = 0; position < count; position++) {
      const arg = node.argumentAt(position);
      if (!(arg instanceof Ref)) {
        resolved[position] = arg;
        continue;
      }
      let parent = next < parentsEnd ? (parentList[next] as number) : -1;
      if (parent >= 0 && plan.nodes[parent] === arg.node) next++;
      else parent = plan.indexOf.get(arg.node) as number;
      const result = this.#results[parent];
      resolved[position] = arg.path.length === 0 ? result : resolveRef(arg, () => result);
    }
    return resolved;
  }

  /**
   * Calls `fn` with node `index`'s resolved arguments, on the main thread (values as they are),
   * releasing parents before the call as {@link argumentsFor} does. A node whose arguments are
   * its parents, at most two (most nodes of a big graph), is called with no array of arguments.
   */
  callWithArguments(index: number, fn: (...args: unknown[]) => unknown): unknown {
    const plan = this.#plan;
    const node = plan.nodes[index] as Node;
    const count = node.argumentCount;
    if (count > 2 || !node.argumentsAreParents || this.#actorObjectsStayInThreads) {
      return fn(...this.argumentsFor(index, undefined));
    }
    const { parentList } = plan;
    const start = plan.parentStart[index] as number;
    const first = count > 0 ? this.#results[parentList[start] as number] : undefined;
    const second = count > 1 ? this.#results[parentList[start + 1] as number] : undefined;
    this.release(index);
    return count === 2 ? fn(first, second) : count === 1 ? fn(first) : fn();
  }

  /** One lookup function for every node, rather than a closure per node. */
  readonly #valueOfNode = (parentNode: Node): unknown =>
    this.#results[this.#plan.indexOf.get(parentNode) as number];

  /**
   * Node `index` has started: parents it was the last consumer of are released, unless leaves.
   * Done by argumentsFor; a chained node, whose arguments were only read, calls it once it ran.
   */
  release(index: number): void {
    const plan = this.#plan;
    const { parentList, isLeaf } = plan;
    const remaining = this.#remainingConsumers;
    const end = plan.parentStart[index + 1] as number;
    for (let edge = plan.parentStart[index] as number; edge < end; edge++) {
      const parent = parentList[edge] as number;
      if (--(remaining[parent] as number) === 0 && isLeaf[parent] === 0) this.#results[parent] = undefined;
    }
  }

  /** The results by plan index: leaves kept, everything else released. */
  get results(): readonly unknown[] {
    return this.#results;
  }
}
