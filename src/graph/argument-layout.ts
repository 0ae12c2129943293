/**
 * How a node keeps its arguments and parents. Most calls of a big graph take one or two
 * arguments that are nodes or primitives (`combine(a, b)`, `seed(3)`): those are kept inline in
 * two fields of the node, with a few bits saying which of them are parents, so a node is one
 * object. An array per node would be two more objects (an array and its store) and 64 bytes:
 * at a million nodes, most of what the young generation's collector copies while a graph is
 * built, and most of what a full collection marks. Any other call keeps its arguments array,
 * and its parents in a second array (the same array when the arguments are distinct nodes).
 */
import { collectArgumentRefs } from './arguments.js';
import { Node } from './node.js';
import { Ref } from './ref.js';

/** Bits 0-1: how many arguments are inline (0 to 2), or {@link inArrays}. */
export const countBits = 3;
/** The arguments are an array in the first field, the parents an array in the second. */
export const inArrays = 3;
/** Inline: the first argument is a parent. */
export const firstIsParent = 4;
/** Inline: the second argument is a parent (distinct from the first). */
export const secondIsParent = 8;
/** Some argument is an array or plain object holding references (it must be rebuilt). */
export const nestedRefs = 16;
/** The arguments are exactly the parents, in order: resolution needs no test per argument. */
export const argsAreParents = 32;

/**
 * The parents and shape bits of a call that does not fit inline (see {@link inlineShape}): its
 * arguments stay in their array. Checked before the node takes an id or a name: a refused
 * call (an actor's handle as an argument, a cyclic one) leaves no trace.
 *
 * @param callName What is being called, for messages: `sum`, `Counter.add`.
 */
export function arrayLayout(
  args: readonly unknown[],
  extraParents: readonly Node[],
  callName: string,
): { shape: number; parents: readonly Node[] } {
  if (extraParents.length === 0) {
    const parents = directParents(args);
    if (parents !== undefined) return { shape: inArrays | (parents === args ? argsAreParents : 0), parents };
  }
  const collected = collectArgumentRefs(args, extraParents, callName);
  return { shape: inArrays | (collected.hasNestedRefs ? nestedRefs : 0), parents: collected.parents };
}

/**
 * The inline shape of a call with at most two arguments, each a node or a primitive (two
 * nodes distinct); -1 for any other call. Items, objects, functions (an actor's handle to
 * refuse) and a node given twice take the arrays.
 */
export function inlineShape(args: readonly unknown[]): number {
  const count = args.length;
  if (count > 2) return -1;
  if (count === 0) return argsAreParents;
  let shape = count;
  const first = args[0];
  if (first instanceof Node) shape |= firstIsParent;
  else if (!isPrimitive(first)) return -1;
  let all = firstIsParent;
  if (count === 2) {
    const second = args[1];
    if (second instanceof Node) {
      if (second === first) return -1;
      shape |= secondIsParent;
    } else if (!isPrimitive(second)) return -1;
    all |= secondIsParent;
  }
  return (shape & all) === all ? shape | argsAreParents : shape;
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

/**
 * The parents of a call whose arguments are all nodes, items or primitives, found without the
 * general walk of {@link collectArgumentRefs}; undefined for any other call, which takes that
 * walk. When the arguments are distinct nodes, the parents are the arguments array itself.
 */
function directParents(args: readonly unknown[]): readonly Node[] | undefined {
  const count = args.length;
  if (count > directArgumentsLimit) return undefined;
  let refs = 0;
  let onlyNodes = true;
  for (let index = 0; index < count; index++) {
    const arg = args[index];
    if (arg instanceof Ref) {
      refs++;
      if (!(arg instanceof Node)) onlyNodes = false;
    } else if (!isPrimitive(arg)) {
      return undefined; // may hold references, or be an actor handle to refuse
    }
  }
  if (refs === 0) return noParents;
  const parents: Node[] = [];
  for (let index = 0; index < count; index++) {
    const arg = args[index];
    if (!(arg instanceof Ref)) continue;
    const parent = arg.node;
    if (!parents.includes(parent)) parents.push(parent);
  }
  if (onlyNodes && parents.length === count) return args as readonly Node[];
  return parents.slice(); // exact size: a pushed-to array keeps spare slots
}

/** Calls with more arguments than this take the general walk (a Set past a few parents). */
const directArgumentsLimit = 8;

const noParents: readonly Node[] = Object.freeze([]);
