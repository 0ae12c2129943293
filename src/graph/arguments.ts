import { actorHandleNode } from './actor-handle-mark.js';
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

/** Past this many parents, membership is kept in a Set: a scan per argument would be O(N²). */
const scanLimit = 32;

/**
 * The distinct nodes a call depends on, in order: `extraParents` first, then those the
 * arguments refer to, in argument order; and whether some reference sits inside an array or
 * plain object (the arguments then need a deep resolution). Linear in the number of arguments
 * and references: a short list is scanned (most nodes have a few parents), a long one is
 * looked up in a Set built once.
 *
 * @param callName What is being called, for messages: `sum`, `Counter.add`.
 */
export function collectArgumentRefs(
  args: readonly unknown[],
  extraParents: readonly Node[],
  callName: string,
): { parents: Node[]; hasNestedRefs: boolean } {
  const parents: Node[] = [];
  let members: Set<Node> | undefined;
  const addParent = (node: Node): void => {
    if (members !== undefined) {
      if (members.has(node)) return;
      members.add(node);
    } else {
      if (parents.includes(node)) return;
      if (parents.length === scanLimit) members = new Set([...parents, node]);
    }
    parents.push(node);
  };
  for (const parent of extraParents) addParent(parent);
  let hasNestedRefs = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg instanceof Ref) {
      addParent(arg.node);
      continue;
    }
    refuseActorHandle(arg, index, callName);
    if (!isWalkable(arg)) continue;
    walkNested(
      arg,
      (value) => {
        if (value instanceof Ref) {
          addParent(value.node);
          hasNestedRefs = true;
        } else refuseActorHandle(value, index, callName);
      },
      'refuse',
    );
  }
  return { parents, hasNestedRefs };
}

function refuseActorHandle(value: unknown, index: number, callName: string): void {
  const initNode = actorHandleNode(value);
  if (initNode === undefined) return;
  throw new TypeError(
    `Argument ${index + 1} of ${callName}() holds the handle of actor "${initNode.name}": a node takes values, ` +
      'not handles. Pass the result of one of its methods (`handle.method(...)`), or `handle.node` for the ' +
      "object itself (LocalWorkflow only: on ThreadWorkflow an actor's object stays in its own thread).",
  );
}

const cyclicArgument = 'An argument contains itself (a cyclic array or object); it cannot be resolved';

/**
 * Calls `visit` with every value inside `root` that is not itself an array or plain object,
 * depth first, in key order. A loop with its own stack, not recursion: an argument nested
 * 100,000 deep is walked like a flat one. A container that holds itself is refused, or skipped
 * with `cycles: 'skip'` (for drawings of arguments changed after the node was built).
 *
 * @example
 * walkNested({ a: [1, ref] }, (value) => console.log(value), 'refuse'); // 1, then ref
 */
export function walkNested(
  root: Record<PropertyKey, unknown> | unknown[],
  visit: (value: unknown) => void,
  cycles: 'refuse' | 'skip',
): void {
  // onPath holds the containers from the root to the current one: a shared container
  // reached twice by different paths is fine, one that holds itself is a cycle.
  const onPath = new Set<object>([root]);
  const stack: { container: object; values: unknown[]; next: number }[] = [
    { container: root, values: Object.values(root), next: 0 },
  ];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as (typeof stack)[number];
    if (frame.next === frame.values.length) {
      onPath.delete(frame.container);
      stack.pop();
      continue;
    }
    const value = frame.values[frame.next++];
    if (!isWalkable(value)) {
      visit(value);
      continue;
    }
    if (onPath.has(value)) {
      if (cycles === 'refuse') throw new TypeError(cyclicArgument);
      continue;
    }
    onPath.add(value);
    stack.push({ container: value, values: Object.values(value), next: 0 });
  }
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

/**
 * Rebuilds `root` with every reference replaced by its value. A loop with its own stack, like
 * {@link walkNested}: depth costs heap, not call stack.
 */
function resolveNested(root: Record<PropertyKey, unknown> | unknown[], lookup: ResultLookup): unknown {
  const rootCopy = emptyCopy(root);
  const onPath = new Set<object>([root]);
  const stack: {
    source: Record<PropertyKey, unknown>;
    copy: Record<PropertyKey, unknown>;
    keys: string[];
    next: number;
  }[] = [{ source: root as Record<PropertyKey, unknown>, copy: rootCopy, keys: ownKeys(root), next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as (typeof stack)[number];
    if (frame.next === frame.keys.length) {
      onPath.delete(frame.source);
      stack.pop();
      continue;
    }
    const key = frame.keys[frame.next++] as string;
    const value = frame.source[key];
    if (value instanceof Ref) frame.copy[key] = resolveRef(value, lookup);
    else if (!isWalkable(value)) frame.copy[key] = value;
    else {
      // Arguments mutated after the node was built could have become cyclic.
      if (onPath.has(value)) throw new TypeError(cyclicArgument);
      onPath.add(value);
      const copy = emptyCopy(value);
      frame.copy[key] = copy;
      stack.push({ source: value as Record<PropertyKey, unknown>, copy, keys: ownKeys(value), next: 0 });
    }
  }
  return rootCopy;
}

/** An array of the same length (holes stay holes) or an object with the same prototype. */
function emptyCopy(container: Record<PropertyKey, unknown> | unknown[]): Record<PropertyKey, unknown> {
  return Array.isArray(container)
    ? (new Array(container.length) as unknown as Record<PropertyKey, unknown>)
    : Object.create(Object.getPrototypeOf(container));
}

/** The keys a copy takes: an array's present indexes (as `map` would), an object's own keys. */
function ownKeys(container: Record<PropertyKey, unknown> | unknown[]): string[] {
  if (!Array.isArray(container)) return Object.keys(container);
  const keys: string[] = [];
  for (let index = 0; index < container.length; index++) if (index in container) keys.push(String(index));
  return keys;
}
