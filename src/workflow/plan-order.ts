/**
 * How a plan finds its node set and canonical order (see ExecutionPlan): three walks that
 * mark nodes (no Set of a million nodes), an order by creation that is a bucket pass when the
 * node ids are dense (no comparison sort), waves in one pass over it, and a counting sort by
 * wave. Every step is linear in nodes plus edges, and allocates typed arrays, not objects.
 */
import type { Node, Ref } from '../graph/node.js';

/** The node set of some leaves, its canonical order, and what the order was found from. */
export interface PlanOrder {
  /** Every node in canonical order; each node's `planIndex` is its place here. */
  readonly nodes: Node[];
  /** Parentless ancestors of the leaves, in no particular order. */
  readonly roots: Node[];
  /** The nodes in creation order (id order), for passes that must see parents first. */
  readonly byCreation: Node[];
}

/**
 * The node set: every node that descends from a root of the leaves (a parentless ancestor),
 * plus every ancestor those nodes need, in canonical order: waves (a node's wave is the longest
 * path to it from a parentless node), ties broken by creation order.
 */
export function orderPlan(leaves: readonly Ref[]): PlanOrder {
  const roots = findRoots(leaves);
  const byCreation = inCreationOrder(collectMembers(roots));
  return { nodes: orderInWaves(byCreation), roots, byCreation };
}

/**
 * A number no node holds as its mark yet: marks only grow (exactly, as numbers do up to 2^53),
 * so a node marked by an earlier walk never looks marked by this one.
 */
function nextMark(): number {
  lastMark++;
  return lastMark;
}
let lastMark = 0;

/** Parentless ancestors of the leaves: an upward walk marking what it has seen. */
function findRoots(leaves: readonly Ref[]): Node[] {
  const seen = nextMark();
  const roots: Node[] = [];
  const stack: Node[] = [];
  for (const leaf of leaves) {
    const { node } = leaf;
    if (node.planMark === seen) continue;
    node.planMark = seen;
    stack.push(node);
  }
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    const { parents } = node;
    if (parents.length === 0) roots.push(node);
    for (let index = 0; index < parents.length; index++) {
      const parent = parents[index] as Node;
      if (parent.planMark === seen) continue;
      parent.planMark = seen;
      stack.push(parent);
    }
  }
  return roots;
}

/**
 * Every descendant of the roots, then every ancestor those need (a descendant may have parents
 * that descend from no root). One array is both the result and the work list.
 */
function collectMembers(roots: readonly Node[]): Node[] {
  const member = nextMark();
  const members: Node[] = [];
  for (const root of roots) {
    root.planMark = member;
    members.push(root);
  }
  for (let next = 0; next < members.length; next++) {
    const { children } = members[next] as Node;
    for (let index = 0; index < children.length; index++) {
      const child = children[index] as Node;
      if (child.planMark === member) continue;
      child.planMark = member;
      members.push(child);
    }
  }
  for (let next = 0; next < members.length; next++) {
    const { parents } = members[next] as Node;
    for (let index = 0; index < parents.length; index++) {
      const parent = parents[index] as Node;
      if (parent.planMark === member) continue;
      parent.planMark = member;
      members.push(parent);
    }
  }
  return members;
}

/**
 * Ids are a process-wide creation counter, so a graph built in one go has dense ids: placing
 * each node at its id's offset sorts it in one pass. Sparse ids (graphs built interleaved with
 * many other nodes) take a comparison sort instead.
 */
function inCreationOrder(members: Node[]): Node[] {
  let minId = Number.POSITIVE_INFINITY;
  let maxId = Number.NEGATIVE_INFINITY;
  for (const node of members) {
    if (node.id < minId) minId = node.id;
    if (node.id > maxId) maxId = node.id;
  }
  const span = maxId - minId + 1;
  if (members.length === 0 || span > members.length * 4) return members.sort((a, b) => a.id - b.id);
  const byOffset = new Array<Node | undefined>(span);
  for (const node of members) byOffset[node.id - minId] = node;
  const ordered: Node[] = [];
  for (let offset = 0; offset < span; offset++) {
    const node = byOffset[offset];
    if (node !== undefined) ordered.push(node);
  }
  return ordered;
}

/**
 * Creation order is a topological order (a node's parents exist before it does): one pass
 * gives every wave, then a stable counting sort by wave keeps creation order within each.
 * Leaves each node's `planIndex` at its place in the result.
 */
function orderInWaves(byCreation: readonly Node[]): Node[] {
  const count = byCreation.length;
  const waveOf = new Int32Array(count);
  // A wave is at most the count of nodes before it: count + 1 slots hold every wave's size.
  const waveSizes = new Int32Array(count + 1);
  let lastWave = 0;
  for (let slot = 0; slot < count; slot++) {
    const node = byCreation[slot] as Node;
    node.planIndex = slot;
    const { parents } = node;
    let wave = 0;
    for (let index = 0; index < parents.length; index++) {
      const parentWave = waveOf[(parents[index] as Node).planIndex] as number;
      if (parentWave >= wave) wave = parentWave + 1;
    }
    waveOf[slot] = wave;
    (waveSizes[wave] as number)++;
    if (wave > lastWave) lastWave = wave;
  }
  // waveSizes becomes each wave's next free place.
  let start = 0;
  for (let wave = 0; wave <= lastWave; wave++) {
    const size = waveSizes[wave] as number;
    waveSizes[wave] = start;
    start += size;
  }
  const nodes = new Array<Node>(count);
  for (let slot = 0; slot < count; slot++) {
    const wave = waveOf[slot] as number;
    const place = waveSizes[wave] as number;
    waveSizes[wave] = place + 1;
    nodes[place] = byCreation[slot] as Node;
  }
  for (let place = 0; place < count; place++) (nodes[place] as Node).planIndex = place;
  return nodes;
}
