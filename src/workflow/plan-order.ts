/**
 * How a plan finds its node set, its canonical order and its edges (see ExecutionPlan): walks
 * that mark nodes (no Set of a million nodes), an order by creation that is one bucket pass
 * when node ids are dense (no comparison sort), waves in one pass over it, a counting sort by
 * wave, and edges copied between typed arrays. Every step is linear in nodes plus edges, and
 * node objects are read in four passes (three when the graph was built wave after wave);
 * everything else is typed arrays.
 */
import type { Node, Ref } from '../graph/node.js';
import { collectMembers, type Members } from './plan-members.js';

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
  const members = collectMembers(leaves);
  const byCreation = inCreationOrder(members);
  return { roots: members.roots, ...orderInWaves(byCreation, members.edges) };
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
 * creation order within each, and the edges are renumbered to canonical places. A graph built
 * wave after wave (layer by layer, the usual big graph) is in canonical order already: slots
 * are places, and nothing is sorted nor renumbered.
 */
function orderInWaves(byCreation: Node[], edges: number): Omit<PlanOrder, 'roots'> {
  const count = byCreation.length;
  const waveOf = new Int32Array(count);
  // A wave is at most the count of nodes before it: count + 1 slots hold every wave's size.
  const waveSizes = new Int32Array(count + 1);
  const slotParentStart = new Int32Array(count + 1);
  const slotParents = new Int32Array(edges);
  const childCounts = new Int32Array(count);
  const isTaskBySlot = new Uint8Array(count);
  const renamed: Node[] = [];
  let lastWave = 0;
  let inWaveOrder = true;
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
    else if (wave < lastWave) inWaveOrder = false;
    if (node.callable.kind === 'task') isTaskBySlot[slot] = 1;
    if (node.givenName !== undefined) renamed.push(node);
  }
  const parentlessCount = waveSizes[0] as number;
  if (inWaveOrder) {
    return {
      nodes: byCreation,
      renamed,
      parentlessCount,
      isTask: isTaskBySlot,
      ...renumberEdges(slotParentStart, slotParents, childCounts, undefined),
    };
  }
  // waveSizes becomes each wave's next free place.
  for (let wave = 0, start = 0; wave <= lastWave; wave++) {
    const size = waveSizes[wave] as number;
    waveSizes[wave] = start;
    start += size;
  }
  const placeOf = new Int32Array(count);
  const slotOf = new Int32Array(count);
  const nodes = new Array<Node>(count);
  const isTask = new Uint8Array(count);
  for (let slot = 0; slot < count; slot++) {
    const wave = waveOf[slot] as number;
    const place = waveSizes[wave] as number;
    waveSizes[wave] = place + 1;
    placeOf[slot] = place;
    slotOf[place] = slot;
    isTask[place] = isTaskBySlot[slot] as number;
    const node = byCreation[slot] as Node;
    nodes[place] = node;
    node.planIndex = place; // no later step reads slots from nodes
  }
  renamed.sort((a, b) => a.planIndex - b.planIndex);
  return {
    nodes,
    renamed,
    parentlessCount,
    isTask,
    ...renumberEdges(slotParentStart, slotParents, childCounts, { placeOf, slotOf }),
  };
}

/**
 * Edges found by creation slot, as canonical places: each node's parents in `node.parents`
 * order, and each node's children in creation order (filled child by child in creation
 * order), as node.children lists them. Without `order`, slots are places: the parent lists are
 * kept as they are.
 */
function renumberEdges(
  slotParentStart: Int32Array,
  slotParents: Int32Array,
  childCounts: Int32Array,
  order: { readonly placeOf: Int32Array; readonly slotOf: Int32Array } | undefined,
): Omit<PlanOrder, 'nodes' | 'roots' | 'renamed' | 'parentlessCount' | 'isTask'> {
  const count = childCounts.length;
  const parentStart = order === undefined ? slotParentStart : new Int32Array(count + 1);
  const childStart = new Int32Array(count + 1);
  const parentCounts = new Int32Array(count);
  const childCountsByPlace = order === undefined ? childCounts : new Int32Array(count);
  for (let place = 0; place < count; place++) {
    const slot = order === undefined ? place : (order.slotOf[place] as number);
    const parents = (slotParentStart[slot + 1] as number) - (slotParentStart[slot] as number);
    const children = childCounts[slot] as number;
    parentCounts[place] = parents;
    childCountsByPlace[place] = children;
    parentStart[place + 1] = (parentStart[place] as number) + parents;
    childStart[place + 1] = (childStart[place] as number) + children;
  }
  const parentList = order === undefined ? slotParents : new Int32Array(slotParents.length);
  const childList = new Int32Array(slotParents.length);
  const nextChild = childStart.slice(0, count);
  for (let slot = 0; slot < count; slot++) {
    const place = order === undefined ? slot : (order.placeOf[slot] as number);
    let into = parentStart[place] as number;
    const end = slotParentStart[slot + 1] as number;
    for (let edge = slotParentStart[slot] as number; edge < end; edge++) {
      const parent =
        order === undefined
          ? (slotParents[edge] as number)
          : (order.placeOf[slotParents[edge] as number] as number);
      parentList[into++] = parent;
      childList[(nextChild[parent] as number)++] = place;
    }
  }
  return { parentStart, parentList, childStart, childList, parentCounts, childCounts: childCountsByPlace };
}
