import { DuplicateNodeNameError } from '../errors.js';
import { describeNode } from '../graph/callable.js';
import type { Node, Ref } from '../graph/node.js';

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
 * ties broken by creation order. Creation order is itself a topological order (a node's
 * parents exist before it does), which makes both the waves and the tie-break one linear pass.
 */
export class ExecutionPlan {
  /** Parentless ancestors of the leaves, in canonical order. */
  readonly roots: readonly Node[];
  /** Every node of the workflow in canonical order. */
  readonly nodes: readonly Node[];
  /** Position of each node in {@link nodes}. */
  readonly indexOf: ReadonlyMap<Node, number>;
  /** For each node (by index), the indexes of its parents. */
  readonly parentIndexes: readonly Int32Array[];
  /** For each node (by index), the indexes of its children within the set. */
  readonly childIndexes: readonly Int32Array[];
  /** For each node, whether it is (or an item of it is) a leaf: its result is kept to the end. */
  readonly isLeaf: Uint8Array;
  /** The leaves as given, normalised to an array. */
  readonly leaves: readonly Ref[];

  constructor(leaves: readonly Ref[]) {
    this.leaves = leaves;
    const rootSet = findRoots(leaves);
    const members = collectMembers(rootSet);
    const byCreation = [...members].sort((a, b) => a.id - b.id);
    this.nodes = orderInWaves(byCreation);
    const indexOf = new Map<Node, number>();
    for (const [index, node] of this.nodes.entries()) indexOf.set(node, index);
    this.indexOf = indexOf;
    checkUniqueNames(this.nodes);
    this.roots = this.nodes.filter((node) => rootSet.has(node));
    this.parentIndexes = this.nodes.map((node) =>
      Int32Array.from(node.parents, (parent) => indexOf.get(parent) as number),
    );
    this.childIndexes = this.nodes.map((node) => {
      const inSet = node.children.filter((child) => members.has(child));
      return Int32Array.from(inSet, (child) => indexOf.get(child) as number);
    });
    this.isLeaf = new Uint8Array(this.nodes.length);
    for (const leaf of leaves) this.isLeaf[indexOf.get(leaf.node) as number] = 1;
  }

  /** How many nodes consume each node's result: a result can be released when this reaches 0. */
  consumerCounts(): Int32Array {
    const counts = new Int32Array(this.childIndexes.length);
    for (let index = 0; index < counts.length; index++) {
      counts[index] = (this.childIndexes[index] as Int32Array).length;
    }
    return counts;
  }
}

function findRoots(leaves: readonly Ref[]): Set<Node> {
  const roots = new Set<Node>();
  const seen = new Set<Node>();
  const stack = leaves.map((leaf) => leaf.node);
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (seen.has(node)) continue;
    seen.add(node);
    if (node.parents.length === 0) roots.add(node);
    else for (const parent of node.parents) stack.push(parent);
  }
  return roots;
}

function collectMembers(roots: ReadonlySet<Node>): Set<Node> {
  const members = new Set<Node>();
  const downward = [...roots];
  while (downward.length > 0) {
    const node = downward.pop() as Node;
    if (members.has(node)) continue;
    members.add(node);
    for (const child of node.children) downward.push(child);
  }
  // A descendant may also need parents that do not descend from these roots.
  const upward = [...members];
  while (upward.length > 0) {
    const node = upward.pop() as Node;
    for (const parent of node.parents) {
      if (!members.has(parent)) {
        members.add(parent);
        upward.push(parent);
      }
    }
  }
  return members;
}

/** Stable bucket sort by wave; input in creation order, so ties stay in creation order. */
function orderInWaves(byCreation: readonly Node[]): Node[] {
  const waveOf = new Map<Node, number>();
  const waves: Node[][] = [];
  for (const node of byCreation) {
    let wave = 0;
    for (const parent of node.parents) {
      const parentWave = waveOf.get(parent) as number;
      if (parentWave >= wave) wave = parentWave + 1;
    }
    waveOf.set(node, wave);
    const members = waves[wave];
    if (members === undefined) waves[wave] = [node];
    else members.push(node);
  }
  return waves.flat();
}

function checkUniqueNames(nodes: readonly Node[]): void {
  const byName = new Map<string, Node>();
  for (const node of nodes) {
    const existing = byName.get(node.name);
    if (existing !== undefined) {
      throw new DuplicateNodeNameError(node.name, describeNode(existing), describeNode(node));
    }
    byName.set(node.name, node);
  }
}
