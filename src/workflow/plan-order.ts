/**
 * How a plan finds its node set, its canonical order and its edges (see ExecutionPlan): walks
 * that mark nodes (no Set of a million nodes), an order by creation that is one bucket pass
 * when node ids are dense (no comparison sort), waves in one pass over it, a counting sort by
 * wave, and edges copied between typed arrays. Every step is linear in nodes plus edges, and
 * node objects are read in five passes; everything else is typed arrays.
 */
import type { Node, Ref } from '../graph/node.js';

/** The node set of some leaves in canonical order, with its edges (see ExecutionPlan). */
export interface PlanOrder {
  /** Every node in canonical order; each node's `planIndex` is its place here. */
  readonly nodes: Node[];
  /** Parentless ancestors of the leaves, in no particular order. */
  readonly roots: Node[];
  /** The nodes renamed with setName, in canonical order (the rest have default names). */
  readonly renamed: Node[];
  /** The size of the first wave: the nodes without parents. */
  readonly parentlessCount: number;
  /** 1 for each node that calls a task (not an actor). */
  readonly isTask: Uint8Array;
  readonly parentStart: Int32Array;
  readonly parentList: Int32Array;
  readonly childStart: Int32Array;
  readonly childList: Int32Array;
  /** Each node's count of parents, and of children within the set. */
  readonly parentCounts: Int32Array;
  readonly childCounts: Int32Array;
}

/**
 * The node set: every node that descends from a root of the leaves (a parentless ancestor),
 * plus every ancestor those nodes need, in canonical order: waves (a node's wave is the longest
 * path to it from a parentless node), ties broken by creation order.
 */
export function orderPlan(leaves: readonly Ref[]): PlanOrder {
  const roots = findRoots(leaves);
  const members = collectMembers(roots);
  const byCreation = inCreationOrder(members);
  return { roots, ...orderInWaves(byCreation, members.edges) };
}

/**
 * A mark no node holds yet, stored negated in `planIndex` while a walk runs (plan indexes are
 * never negative). Marks only grow, exactly (numbers are exact to 2^53): a node marked by an
 * earlier walk never looks marked by this one.
 */
function nextMark(): number {
  lastMark++;
  return -lastMark;
}
let lastMark = 1;

/**
 * Parentless ancestors of the leaves: an upward walk marking what it has seen. Breadth first:
 * it reads nodes about in reverse creation order, close in memory, where depth first would
 * jump from one end of the graph to the other and back.
 */
function findRoots(leaves: readonly Ref[]): Node[] {
  const seen = nextMark();
  const roots: Node[] = [];
  const queue: Node[] = [];
  for (const leaf of leaves) {
    const { node } = leaf;
    if (node.planIndex === seen) continue;
    node.planIndex = seen;
    queue.push(node);
  }
  for (let next = 0; next < queue.length; next++) {
    const node = queue[next] as Node;
    const parentCount = node.parentCount;
    if (parentCount === 0) roots.push(node);
    for (let index = 0; index < parentCount; index++) {
      const parent = node.parentAt(index);
      if (parent.planIndex === seen) continue;
      parent.planIndex = seen;
      queue.push(parent);
    }
  }
  return roots;
}

interface Members {
  readonly nodes: Node[];
  readonly minId: number;
  readonly maxId: number;
  /** Parent edges of all members (all within the set). */
  readonly edges: number;
}

/**
 * Every descendant of the roots, then every ancestor those need (a descendant may have parents
 * that descend from no root). One array is both the result and the work list.
 */
function collectMembers(roots: readonly Node[]): Members {
  const member = nextMark();
  const nodes: Node[] = [];
  for (const root of roots) {
    root.planIndex = member;
    nodes.push(root);
  }
  for (let next = 0; next < nodes.length; next++) {
    const node = nodes[next] as Node;
    const first = node.firstChild;
    if (first === undefined) continue;
    if (first.planIndex !== member) {
      first.planIndex = member;
      nodes.push(first);
    }
    const second = node.secondChild;
    if (second === undefined) continue;
    if (second.planIndex !== member) {
      second.planIndex = member;
      nodes.push(second);
    }
    const more = node.moreChildren;
    if (more === undefined) continue;
    for (let index = 0; index < more.length; index++) {
      const child = more[index] as Node;
      if (child.planIndex === member) continue;
      child.planIndex = member;
      nodes.push(child);
    }
  }
  let minId = Number.POSITIVE_INFINITY;
  let maxId = Number.NEGATIVE_INFINITY;
  let edges = 0;
  for (let next = 0; next < nodes.length; next++) {
    const node = nodes[next] as Node;
    const { id, parentCount } = node;
    if (id < minId) minId = id;
    if (id > maxId) maxId = id;
    edges += parentCount;
    for (let index = 0; index < parentCount; index++) {
      const parent = node.parentAt(index);
      if (parent.planIndex === member) continue;
      parent.planIndex = member;
      nodes.push(parent);
    }
  }
  return { nodes, minId, maxId, edges };
}

/**
 * Ids are a process-wide creation counter, so a graph built in one go has dense ids: placing
 * each node at its id's offset sorts it in one pass. Sparse ids (graphs built interleaved with
 * many other nodes) take a comparison sort instead.
 */
function inCreationOrder({ nodes, minId, maxId }: Members): Node[] {
  const span = maxId - minId + 1;
  if (nodes.length === 0 || span > nodes.length * 4) return nodes.sort((a, b) => a.id - b.id);
  // Offsets to positions in `nodes` (typed, so the pass writes numbers, not pointers).
  const positionAt = new Int32Array(span).fill(-1);
  for (let position = 0; position < nodes.length; position++) {
    positionAt[(nodes[position] as Node).id - minId] = position;
  }
  const ordered = new Array<Node>(nodes.length);
  for (let offset = 0, next = 0; offset < span; offset++) {
    const position = positionAt[offset] as number;
    if (position >= 0) ordered[next++] = nodes[position] as Node;
  }
  return ordered;
}

/**
 * Creation order is a topological order (a node's parents exist before it does): one pass
 * gives every wave and every edge (by creation slot), a stable counting sort by wave keeps
 * creation order within each, and the edges are renumbered to canonical places.
 */
function orderInWaves(byCreation: readonly Node[], edges: number): Omit<PlanOrder, 'roots'> {
  const count = byCreation.length;
  const waveOf = new Int32Array(count);
  // A wave is at most the count of nodes before it: count + 1 slots hold every wave's size.
  const waveSizes = new Int32Array(count + 1);
  const slotParentStart = new Int32Array(count + 1);
  const slotParents = new Int32Array(edges);
  const childCounts = new Int32Array(count);
  let lastWave = 0;
  let edge = 0;
  for (let slot = 0; slot < count; slot++) {
    const node = byCreation[slot] as Node;
    node.planIndex = slot; // parents come first, so theirs are slots already
    const parentCount = node.parentCount;
    let wave = 0;
    for (let index = 0; index < parentCount; index++) {
      const parent = node.parentAt(index).planIndex;
      slotParents[edge++] = parent;
      (childCounts[parent] as number)++;
      const parentWave = waveOf[parent] as number;
      if (parentWave >= wave) wave = parentWave + 1;
    }
    slotParentStart[slot + 1] = edge;
    waveOf[slot] = wave;
    (waveSizes[wave] as number)++;
    if (wave > lastWave) lastWave = wave;
  }
  const parentlessCount = waveSizes[0] as number;
  // waveSizes becomes each wave's next free place.
  for (let wave = 0, start = 0; wave <= lastWave; wave++) {
    const size = waveSizes[wave] as number;
    waveSizes[wave] = start;
    start += size;
  }
  const placeOf = new Int32Array(count);
  const slotOf = new Int32Array(count);
  const nodes = new Array<Node>(count);
  const renamed: Node[] = [];
  const isTask = new Uint8Array(count);
  for (let slot = 0; slot < count; slot++) {
    const wave = waveOf[slot] as number;
    const place = waveSizes[wave] as number;
    waveSizes[wave] = place + 1;
    placeOf[slot] = place;
    slotOf[place] = slot;
    const node = byCreation[slot] as Node;
    nodes[place] = node;
    node.planIndex = place; // no later step reads slots from nodes
    if (node.callable.kind === 'task') isTask[place] = 1;
    if (node.givenName !== undefined) renamed.push(node);
  }
  renamed.sort((a, b) => a.planIndex - b.planIndex);
  return {
    nodes,
    renamed,
    parentlessCount,
    isTask,
    ...renumberEdges(slotParentStart, slotParents, childCounts, placeOf, slotOf),
  };
}

/**
 * Edges found by creation slot, as canonical places: each node's parents in `node.parents`
 * order, and each node's children in creation order (filled child by child in creation
 * order), as node.children lists them.
 */
function renumberEdges(
  slotParentStart: Int32Array,
  slotParents: Int32Array,
  childCounts: Int32Array,
  placeOf: Int32Array,
  slotOf: Int32Array,
): Omit<PlanOrder, 'nodes' | 'roots' | 'renamed' | 'parentlessCount' | 'isTask'> {
  const count = placeOf.length;
  const parentStart = new Int32Array(count + 1);
  const childStart = new Int32Array(count + 1);
  const parentCounts = new Int32Array(count);
  const childCountsByPlace = new Int32Array(count);
  for (let place = 0; place < count; place++) {
    const slot = slotOf[place] as number;
    const parents = (slotParentStart[slot + 1] as number) - (slotParentStart[slot] as number);
    const children = childCounts[slot] as number;
    parentCounts[place] = parents;
    childCountsByPlace[place] = children;
    parentStart[place + 1] = (parentStart[place] as number) + parents;
    childStart[place + 1] = (childStart[place] as number) + children;
  }
  const parentList = new Int32Array(slotParents.length);
  const childList = new Int32Array(slotParents.length);
  const nextChild = childStart.slice(0, count);
  for (let slot = 0; slot < count; slot++) {
    const place = placeOf[slot] as number;
    let into = parentStart[place] as number;
    const end = slotParentStart[slot + 1] as number;
    for (let edge = slotParentStart[slot] as number; edge < end; edge++) {
      const parent = placeOf[slotParents[edge] as number] as number;
      parentList[into++] = parent;
      childList[(nextChild[parent] as number)++] = place;
    }
  }
  return { parentStart, parentList, childStart, childList, parentCounts, childCounts: childCountsByPlace };
}
