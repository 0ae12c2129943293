import type { Node } from './node.js';

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
