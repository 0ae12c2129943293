import { DuplicateNodeNameError } from '../errors.js';
import { describeNode } from '../graph/callable.js';
import { mayBeDefaultName } from '../graph/names.js';
import type { Node, Ref } from '../graph/node.js';
import { orderPlan } from './plan-order.js';

/**
 * What a workflow runs, computed from its leaves: the node set, the canonical order, and the
 * per-node counts the executors need. Immutable once built; every run works on its own copy
 * of the mutable parts, so nodes never carry run state.
 *
 * Node set: every node that descends from a root of the leaves (a parentless ancestor), plus
 * every ancestor those nodes need. The original ran every descendant of the roots, and users'
 * examples rely on handing over only part of the pipeline.
 *
 * Canonical order: waves (a node's wave is the longest path to it from a parentless node),
 * ties broken by creation order (see plan-order.ts).
 *
 * Layout: nodes are numbered by their place in canonical order, and edges are kept as flat
 * typed arrays (compressed sparse rows): node `i`'s parents are
 * `parentList[parentStart[i] .. parentStart[i + 1])`, in `node.parents` order; its children
 * within the set, in creation order, likewise in `childStart` / `childList`. A million nodes
 * cost a few typed arrays, not two million small ones.
 */
export class ExecutionPlan {
  /** Every node of the workflow in canonical order. */
  readonly nodes: readonly Node[];
  /** Where each node's parents start in {@link parentList}; one more entry than nodes. */
  readonly parentStart: Int32Array;
  /** Every node's parents' indexes, node after node. */
  readonly parentList: Int32Array;
  /** Where each node's children start in {@link childList}; one more entry than nodes. */
  readonly childStart: Int32Array;
  /** Every node's children's indexes (within the set, in creation order), node after node. */
  readonly childList: Int32Array;
  /** For each node, whether it is (or an item of it is) a leaf: its result is kept to the end. */
  readonly isLeaf: Uint8Array;
  /** For each node, 1 when it calls a task, 0 for an actor's constructor or method. */
  readonly isTask: Uint8Array;
  /** The leaves as given, normalised to an array. */
  readonly leaves: readonly Ref[];
  /** How many nodes have no parent: the first wave, so indexes 0 to this (excluded). */
  readonly parentlessCount: number;
  /** Position of each node in {@link nodes}. */
  readonly indexOf: PlanIndex;
  #roots: Node[];
  #rootsSorted = false;
  readonly #parentCounts: Int32Array;
  readonly #childCounts: Int32Array;
  #parentIndexes: readonly Int32Array[] | undefined;
  #childIndexes: readonly Int32Array[] | undefined;

  constructor(leaves: readonly Ref[]) {
    this.leaves = leaves;
    const order = orderPlan(leaves);
    const { nodes } = order;
    this.nodes = nodes;
    this.#roots = order.roots;
    this.indexOf = new PlanIndex(nodes);
    checkUniqueNames(order.renamed, nodes);
    this.parentStart = order.parentStart;
    this.parentList = order.parentList;
    this.childStart = order.childStart;
    this.childList = order.childList;
    this.#parentCounts = order.parentCounts;
    this.parentlessCount = order.parentlessCount;
    this.isTask = order.isTask;
    this.#childCounts = order.childCounts;
    this.isLeaf = new Uint8Array(nodes.length);
    for (const leaf of leaves) this.isLeaf[this.indexOf.get(leaf.node) as number] = 1;
  }

  /** Parentless ancestors of the leaves, in canonical order. */
  get roots(): readonly Node[] {
    if (!this.#rootsSorted) {
      // All in the first wave, where canonical order is creation order.
      this.#roots.sort((a, b) => a.id - b.id);
      this.#rootsSorted = true;
    }
    return this.#roots;
  }

  /** How many parents node `index` has. */
  parentCount(index: number): number {
    return (this.parentStart[index + 1] as number) - (this.parentStart[index] as number);
  }

  /** How many children node `index` has within the set. */
  childCount(index: number): number {
    return (this.childStart[index + 1] as number) - (this.childStart[index] as number);
  }

  /**
   * For each node (by index), the indexes of its parents: views into {@link parentList}, made
   * on first use and kept (about 100 bytes a node). Hot paths read the flat arrays instead.
   */
  get parentIndexes(): readonly Int32Array[] {
    this.#parentIndexes ??= views(this.parentStart, this.parentList);
    return this.#parentIndexes;
  }

  /** For each node (by index), the indexes of its children within the set; see {@link parentIndexes}. */
  get childIndexes(): readonly Int32Array[] {
    this.#childIndexes ??= views(this.childStart, this.childList);
    return this.#childIndexes;
  }

  /**
   * How many parents each node waits for: a run's own copy, to count down. A copy of counts kept
   * with the plan (a memory copy), not a loop over the nodes at every run.
   */
  parentCountsCopy(): Int32Array {
    return this.#parentCounts.slice();
  }

  /** How many nodes consume each node's result (a run's own copy): released when it reaches 0. */
  consumerCounts(): Int32Array {
    return this.#childCounts.slice();
  }
}

/**
 * Node to plan index. Each node keeps its index in the plan built last with it, so the lookup
 * is one comparison; a node whose index belongs to a later plan (one node in several
 * workflows), or that is not in this one, is looked up in a Map built on the first such miss.
 */
export class PlanIndex {
  readonly #nodes: readonly Node[];
  #byNode: Map<Node, number> | undefined;

  constructor(nodes: readonly Node[]) {
    this.#nodes = nodes;
  }

  /** The node's index in the plan, undefined when it is not in it. */
  get(node: Node): number | undefined {
    const index = node.planIndex;
    if (index >= 0 && this.#nodes[index] === node) return index;
    if (this.#byNode === undefined) {
      const byNode = new Map<Node, number>();
      for (let each = 0; each < this.#nodes.length; each++) byNode.set(this.#nodes[each] as Node, each);
      this.#byNode = byNode;
    }
    return this.#byNode.get(node);
  }

  has(node: Node): boolean {
    return this.get(node) !== undefined;
  }
}

function views(start: Int32Array, list: Int32Array): Int32Array[] {
  const count = start.length - 1;
  const result = new Array<Int32Array>(count);
  for (let index = 0; index < count; index++) {
    result[index] = list.subarray(start[index] as number, start[index + 1] as number);
  }
  return result;
}

/**
 * Names are unique within a workflow. Default names are unique by construction (one counter per
 * base name, and a name spells its base name and counter unambiguously), so only given names
 * need checking, unless one of them looks like a default name: then every name is spelt. Either
 * way the first duplicate in canonical order is the one reported.
 */
function checkUniqueNames(renamed: readonly Node[], nodes: readonly Node[]): void {
  const byGivenName = new Map<string, Node>();
  for (const node of renamed) {
    const given = node.givenName as string;
    if (mayBeDefaultName(given)) {
      checkEveryName(nodes);
      return;
    }
    const existing = byGivenName.get(given);
    if (existing !== undefined) throw duplicate(given, existing, node);
    byGivenName.set(given, node);
  }
}

function checkEveryName(nodes: readonly Node[]): void {
  const byName = new Map<string, Node>();
  for (const node of nodes) {
    const { name } = node;
    const existing = byName.get(name);
    if (existing !== undefined) throw duplicate(name, existing, node);
    byName.set(name, node);
  }
}

function duplicate(name: string, first: Node, second: Node): DuplicateNodeNameError {
  return new DuplicateNodeNameError(name, describeNode(first), describeNode(second));
}
