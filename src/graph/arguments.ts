import { type Node, Ref, readPath } from './node.js';

/**
 * Arguments may hold references at any depth inside arrays and plain objects (the stand-in
 * for keyword arguments). Anything else (class instances, typed arrays, Maps...) is passed
 * through untouched and never walked into.
 */
export function isWalkable(value: unknown): value is Record<PropertyKey, unknown> | unknown[] {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Adds to `parents` the distinct nodes that a call's arguments refer to, in argument order.
 * Returns true when some reference sits inside an array or plain object (the arguments then
 * need a deep resolution). Written as a plain loop: graph building is on the hot path.
 */
export function collectArgumentRefs(args: readonly unknown[], parents: Node[]): boolean {
  let hasNestedRefs = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg instanceof Ref) addParent(parents, arg.node);
    else if (isWalkable(arg) && walkNestedRefs(arg, (node) => addParent(parents, node), new Set())) {
      hasNestedRefs = true;
    }
  }
  return hasNestedRefs;
}

/** Appends `node` unless present. Nodes have few parents: a linear scan is the fast path. */
export function addParent(parents: Node[], node: Node): void {
  if (parents.length < 32 ? !parents.includes(node) : !new Set(parents).has(node)) parents.push(node);
}

function walkNestedRefs(
  container: Record<PropertyKey, unknown> | unknown[],
  addParent: (node: Node) => void,
  onPath: Set<object>,
): boolean {
  if (onPath.has(container)) {
    throw new TypeError('An argument contains itself (a cyclic array or object); it cannot be resolved');
  }
  onPath.add(container);
  let found = false;
  for (const value of Object.values(container)) {
    if (value instanceof Ref) {
      addParent(value.node);
      found = true;
    } else if (isWalkable(value) && walkNestedRefs(value, addParent, onPath)) {
      found = true;
    }
  }
  onPath.delete(container);
  return found;
}

/** Gives the current result of a node during a run. */
export type ResultLookup = (node: Node) => unknown;

/**
 * The values a node's function is called with: every reference replaced by the value it
 * points at. Containers that hold references are rebuilt (the user's own arrays and objects
 * are never mutated); everything else is passed as is.
 */
export function resolveArguments(node: Node, lookup: ResultLookup): unknown[] {
  const { args } = node;
  const resolved = new Array<unknown>(args.length);
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg instanceof Ref) resolved[index] = resolveRef(arg, lookup);
    else resolved[index] = node.hasNestedRefs && isWalkable(arg) ? resolveNested(arg, lookup) : arg;
  }
  return resolved;
}

/** The value a reference points at, given its node's result. */
export function resolveRef(ref: Ref, lookup: ResultLookup): unknown {
  const result = lookup(ref.node);
  return ref.path.length === 0 ? result : readPath(result, ref.path, ref.node.name);
}

function resolveNested(container: Record<PropertyKey, unknown> | unknown[], lookup: ResultLookup): unknown {
  if (Array.isArray(container)) {
    return container.map((value) => resolveValue(value, lookup));
  }
  const copy: Record<PropertyKey, unknown> = Object.create(Object.getPrototypeOf(container));
  for (const key of Object.keys(container)) copy[key] = resolveValue(container[key], lookup);
  return copy;
}

function resolveValue(value: unknown, lookup: ResultLookup): unknown {
  if (value instanceof Ref) return resolveRef(value, lookup);
  return isWalkable(value) ? resolveNested(value, lookup) : value;
}
