import {
  argsAreParents,
  arrayLayout,
  countBits,
  firstIsParent,
  inArrays,
  inlineShape,
  nestedRefs,
  secondIsParent,
} from './argument-layout.js';
import type { Callable } from './callable.js';
import { defaultName, nextNameCounter } from './names.js';
import { Ref } from './ref.js';

export { NodeItem, Ref, readPath } from './ref.js';

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
  // Arguments and parents, laid out as argument-layout.ts says: inline (the arguments
  // themselves, #shape telling which are parents) or arrays (arguments, then parents).
  readonly #first: unknown;
  readonly #second: unknown;
  readonly #shape: number;
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
    let shape = extraParents.length === 0 ? inlineShape(args) : -1;
    let first: unknown;
    let second: unknown;
    if (shape >= 0) {
      first = args[0];
      second = args[1];
    } else {
      const layout = arrayLayout(args, extraParents, callable.baseName);
      shape = layout.shape;
      first = args;
      second = layout.parents;
    }
    this.id = nextNodeId++;
    graphRevision++;
    this.callable = callable;
    this.#first = first;
    this.#second = second;
    this.#shape = shape;
    if ((shape & countBits) !== inArrays) {
      if ((shape & firstIsParent) !== 0) (first as Node).#addChild(this);
      if ((shape & secondIsParent) !== 0) (second as Node).#addChild(this);
    } else {
      const parents = second as readonly Node[];
      for (let index = 0; index < parents.length; index++) (parents[index] as Node).#addChild(this);
    }
    this.#name = nextNameCounter(callable.baseName);
  }

  /**
   * Arguments as written by the user, nodes and items included. A node with one or two
   * arguments keeps them inline, so each read of such a node gives a new array.
   */
  get args(): readonly unknown[] {
    switch (this.#shape & countBits) {
      case 0:
        return [];
      case 1:
        return [this.#first];
      case 2:
        return [this.#first, this.#second];
      default:
        return this.#first as readonly unknown[];
    }
  }

  /**
   * Distinct nodes this node depends on, in argument order. A new array on each read for a node
   * that keeps its arguments inline; otherwise, when the arguments are exactly distinct nodes,
   * the same array as {@link args}.
   */
  get parents(): readonly Node[] {
    const shape = this.#shape;
    if ((shape & countBits) === inArrays) return this.#second as readonly Node[];
    const first = (shape & firstIsParent) !== 0;
    const second = (shape & secondIsParent) !== 0;
    if (first) return second ? [this.#first as Node, this.#second as Node] : [this.#first as Node];
    return second ? [this.#second as Node] : noParents;
  }

  /** @internal How many parents the node has (no array made). */
  get parentCount(): number {
    const shape = this.#shape;
    if ((shape & countBits) === inArrays) return (this.#second as readonly Node[]).length;
    return ((shape >> 2) & 1) + ((shape >> 3) & 1);
  }

  /** @internal Parent `position` (from 0, below {@link parentCount}), in {@link parents} order. */
  parentAt(position: number): Node {
    const shape = this.#shape;
    if ((shape & countBits) === inArrays) return (this.#second as readonly Node[])[position] as Node;
    return (position === 0 && (shape & firstIsParent) !== 0 ? this.#first : this.#second) as Node;
  }

  /** @internal How many arguments the node has (no array made). */
  get argumentCount(): number {
    const count = this.#shape & countBits;
    return count === inArrays ? (this.#first as readonly unknown[]).length : count;
  }

  /** @internal Argument `position` (from 0, below {@link argumentCount}). */
  argumentAt(position: number): unknown {
    if ((this.#shape & countBits) === inArrays) return (this.#first as readonly unknown[])[position];
    return position === 0 ? this.#first : this.#second;
  }

  /**
   * @internal The arguments are exactly the parents, in order: a run resolves them from the
   * plan's parent list without a test per argument.
   */
  get argumentsAreParents(): boolean {
    return (this.#shape & argsAreParents) !== 0;
  }

  /**
   * True when some argument is an array or plain object holding references, so resolution
   * must rebuild it; false lets the executor resolve top-level references only (the hot path).
   */
  get hasNestedRefs(): boolean {
    return (this.#shape & nestedRefs) !== 0;
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
