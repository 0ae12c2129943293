import { collectArgumentRefs } from './arguments.js';
import type { Callable } from './callable.js';
import { defaultName, nextNameCounter } from './names.js';

declare const resultType: unique symbol;

/**
 * A reference to a value the graph will produce: a node's whole result ({@link Node}) or one
 * element or field of it ({@link NodeItem}). Any `Ref` can be a task argument or a workflow
 * leaf.
 */
export abstract class Ref<T = unknown> {
  /** Type-level only: the type of the value this reference resolves to. Never set at run time. */
  declare readonly [resultType]?: T;

  /** The node whose result this reference reads. */
  abstract readonly node: Node;

  /**
   * An element or field of this reference's value: `pair.item(0)`, `stats.item('mean')`.
   * Items can be indexed again: `grid.item(1).item(2)`.
   *
   * @example
   * const p = pair(1, 2);             // Node<readonly [number, number]>
   * const first = p.item(0);          // NodeItem<number>
   */
  item<K extends keyof T & PropertyKey>(key: K): NodeItem<T[K]> {
    if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'symbol') {
      throw new TypeError(
        `Expected \`key\` of item() to be a string, a number or a symbol, got ${String(key)} (${typeof key})`,
      );
    }
    return new NodeItem<T[K]>(this.node, [...this.path, key]);
  }

  /** The keys that lead from the node's result to this reference's value (empty for a node). */
  abstract readonly path: readonly PropertyKey[];
}

/**
 * One call of a task or actor method in the graph. Building a node never runs anything.
 *
 * A node holds only the graph's structure (its callable, its arguments, its parents and
 * children); it carries no run state, so a graph can run any number of times and belong to
 * any number of workflows.
 *
 * @example
 * const s1 = sum(1, 1);                     // Node<number> named "sum_0000"
 * const s2 = sum(s1, 1).setName('second');  // setName returns the node
 */
export class Node<T = unknown> extends Ref<T> {
  /** Creation order, process-wide. Parents are always created before their children. */
  readonly id: number;
  /** What this node calls. */
  readonly callable: Callable;
  /** Arguments as written by the user, nodes and items included. */
  readonly args: readonly unknown[];
  /**
   * Distinct nodes this node depends on, in argument order. When the arguments are exactly
   * distinct nodes (the usual `sum(a, b)`), this is the same array as {@link args}.
   */
  readonly parents: readonly Node[];
  /**
   * True when some argument is an array or plain object holding references, so resolution
   * must rebuild it; false lets the executor resolve top-level references only (the hot path).
   */
  readonly hasNestedRefs: boolean;
  /**
   * The name given with setName, or the counter of the default name, which is spelt only when
   * asked: most nodes of a big graph never need their name as a string.
   */
  #name: string | number;
  // Children: two inline, more in an array. Most nodes have one or two, and an array per node
  // would be a third of the graph's memory (a million small arrays for the collector to copy).
  #firstChild: Node | undefined = undefined;
  #secondChild: Node | undefined = undefined;
  #moreChildren: Node[] | undefined = undefined;
  /**
   * @internal Where the plan built last with this node put it (workflow/plan.ts), or, while a
   * plan is being built, a negative mark of the walk that last reached it. A cache of structure,
   * not run state: no run changes it, and a plan checks it before trusting it (a node may be in
   * several workflows). A number, not an object: writing it into an old node costs no barrier.
   */
  planIndex = -1;

  constructor(callable: Callable, args: readonly unknown[], extraParents: readonly Node[] = noParents) {
    super();
    // Checked before the node takes an id or a name: a refused call leaves no trace.
    let parents: readonly Node[] | undefined;
    let hasNestedRefs = false;
    if (extraParents.length === 0) parents = directParents(args);
    if (parents === undefined) {
      const collected = collectArgumentRefs(args, extraParents, callable.baseName);
      parents = collected.parents;
      hasNestedRefs = collected.hasNestedRefs;
    }
    this.id = nextNodeId++;
    graphRevision++;
    this.callable = callable;
    this.args = args;
    this.hasNestedRefs = hasNestedRefs;
    this.parents = parents;
    for (let index = 0; index < parents.length; index++) (parents[index] as Node).#addChild(this);
    this.#name = nextNameCounter(callable.baseName);
  }

  override get node(): Node {
    return this;
  }

  override get path(): readonly PropertyKey[] {
    return emptyPath;
  }

  /**
   * Nodes that depend on this one, in creation order. Structure, not run state. A new array on
   * each read: the node keeps its children more compactly.
   */
  get children(): readonly Node[] {
    const first = this.#firstChild;
    if (first === undefined) return noParents;
    const second = this.#secondChild;
    if (second === undefined) return [first];
    const more = this.#moreChildren;
    return more === undefined ? [first, second] : [first, second, ...more];
  }

  /** @internal The first child (creation order), for walks that must not allocate. */
  get firstChild(): Node | undefined {
    return this.#firstChild;
  }

  /** @internal The second child. */
  get secondChild(): Node | undefined {
    return this.#secondChild;
  }

  /** @internal The children after the second, undefined when there are none. */
  get moreChildren(): readonly Node[] | undefined {
    return this.#moreChildren;
  }

  /** The node's name: its storage key and what queries match. Unique within a workflow. */
  get name(): string {
    const name = this.#name;
    return typeof name === 'string' ? name : defaultName(this.callable.baseName, name);
  }

  /**
   * @internal The name given with setName, undefined while the node has its default name
   * (for the plan's duplicate check, which need not spell default names).
   */
  get givenName(): string | undefined {
    const name = this.#name;
    return typeof name === 'string' ? name : undefined;
  }

  /**
   * Renames the node and returns it, so it chains after the call that built it.
   *
   * @example
   * const model = train(data).setName('iris, logistic-model');
   */
  setName(name: string): this {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError(
        `Expected \`name\` to be a non-empty string, got ${JSON.stringify(name)} (${typeof name})`,
      );
    }
    this.#name = name;
    graphRevision++;
    return this;
  }

  override toString(): string {
    return `Node(${this.name})`;
  }

  /**
   * The array of children past the second is reallocated at its exact size while it is short:
   * `push` would reserve 17 slots at the first. Past that, push: copying would make a node
   * with many children quadratic.
   */
  #addChild(child: Node): void {
    if (this.#firstChild === undefined) {
      this.#firstChild = child;
      return;
    }
    if (this.#secondChild === undefined) {
      this.#secondChild = child;
      return;
    }
    const more = this.#moreChildren;
    if (more === undefined) {
      this.#moreChildren = [child];
      return;
    }
    const count = more.length;
    if (count >= exactChildrenLimit) {
      more.push(child);
      return;
    }
    const grown = new Array<Node>(count + 1);
    for (let index = 0; index < count; index++) grown[index] = more[index] as Node;
    grown[count] = child;
    this.#moreChildren = grown;
  }
}

/** Up to this many children past the second, their array is reallocated at its exact size. */
const exactChildrenLimit = 16;

/**
 * The parents of a call whose arguments are all nodes, items or primitives (most calls of a
 * big graph), found without the general walk of {@link collectArgumentRefs}; undefined for
 * any other call, which takes that walk. When the arguments are distinct nodes, the parents
 * are the arguments array itself: one array per node instead of two.
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
    } else if ((typeof arg === 'object' && arg !== null) || typeof arg === 'function') {
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

/**
 * An element or field of a node's result, as returned by {@link Ref.item}. It is not a node of
 * its own: it reads its node's result when a consumer needs it.
 */
export class NodeItem<T = unknown> extends Ref<T> {
  readonly node: Node;
  readonly path: readonly PropertyKey[];

  constructor(node: Node, path: readonly PropertyKey[]) {
    super();
    this.node = node;
    this.path = path;
  }

  override toString(): string {
    return `${this.node.name}${this.path.map((key) => `[${String(key)}]`).join('')}`;
  }
}

const emptyPath: readonly PropertyKey[] = Object.freeze([]);
const noParents: readonly Node[] = Object.freeze([]);
let nextNodeId = 0;
let graphRevision = 0;

/**
 * A counter that changes whenever a node is created or renamed. Workflows cache their plan
 * (node set, canonical order) and rebuild it when this moves.
 */
export function currentGraphRevision(): number {
  return graphRevision;
}

/**
 * Reads the value an item points at inside its node's result. Indexing into `null` or
 * `undefined` is refused with the whole path in the message, not JavaScript's bare
 * "Cannot read properties of undefined".
 */
export function readPath(result: unknown, path: readonly PropertyKey[], nodeName: string): unknown {
  let value = result;
  for (let depth = 0; depth < path.length; depth++) {
    if (value === null || value === undefined) {
      const shown = path
        .slice(0, depth + 1)
        .map((key) => `[${String(key)}]`)
        .join('');
      throw new TypeError(`Cannot read item ${nodeName}${shown}: the value before it is ${value}`);
    }
    value = (value as Record<PropertyKey, unknown>)[path[depth] as PropertyKey];
  }
  return value;
}
