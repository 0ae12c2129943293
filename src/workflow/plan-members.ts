/**
 * The node set of a plan (see ExecutionPlan): every node that descends from a root of the
 * leaves (a parentless ancestor), plus every ancestor those need. Found by walks that mark
 * nodes (no Set of a million nodes), reading each node object as few times as they can.
 */
import type { Node, Ref } from '../graph/node.js';

/** The members of a plan, in the order the walks found them. */
export interface Members {
  readonly nodes: Node[];
  /** Parentless ancestors of the leaves, in no particular order. */
  readonly roots: Node[];
  readonly minId: number;
  readonly maxId: number;
  /** Parent edges of all members (all within the set). */
  readonly edges: number;
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
 * Three walks over one array, which is both the result and the work list:
 *
 * 1. Up from the leaves: their ancestors, the roots among them. Every ancestor of a leaf
 *    descends from a root (its own parentless ancestors are ancestors of the leaf), so all of
 *    them are members, and they are closed under parents.
 * 2. Down from those: the descendants of the roots are exactly the nodes below an ancestor (the
 *    roots are ancestors), so each member's children are read once.
 * 3. Up again from the descendants step 2 added (none when the leaves are all the graph's
 *    ends, the usual case): the ancestors they need.
 *
 * Breadth first: the first walk reads nodes about in reverse creation order, close in memory,
 * where depth first would jump from one end of the graph to the other and back.
 */
export function collectMembers(leaves: readonly Ref[]): Members {
  const member = nextMark();
  const nodes: Node[] = [];
  const roots: Node[] = [];
  for (const leaf of leaves) {
    const { node } = leaf;
    if (node.planIndex === member) continue;
    node.planIndex = member;
    nodes.push(node);
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
    if (parentCount === 0) roots.push(node);
    for (let index = 0; index < parentCount; index++) {
      const parent = node.parentAt(index);
      if (parent.planIndex === member) continue;
      parent.planIndex = member;
      nodes.push(parent);
    }
  }
  const ancestors = nodes.length;
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
  // Nodes added from here on are ancestors only: their parents are read, never their children.
  for (let next = ancestors; next < nodes.length; next++) {
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
  return { nodes, roots, minId, maxId, edges };
}
