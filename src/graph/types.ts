import type { Node, Ref } from './node.js';

/** Values that are passed to a task as they are, never walked into for references. */
export type Opaque =
  | ArrayBuffer
  | SharedArrayBuffer
  | ArrayBufferView
  | Date
  | RegExp
  | Error
  | Map<unknown, unknown>
  | Set<unknown>
  | Promise<unknown>
  | ((...args: never[]) => unknown);

/**
 * What may be passed where a task expects a `T`: the value itself, a reference to one, or an
 * array / plain object of the expected shape holding values or references at any depth.
 *
 * @example
 * // fit(options: { data: Float64Array; rate: number })
 * fit({ data: split.item('train'), rate: 0.1 });
 */
export type Input<T> = T | Ref<T> | DeepInput<T>;

/** An array or plain object of the expected shape, holding values or references. */
export type DeepInput<T> = T extends Opaque
  ? never
  : T extends readonly unknown[]
    ? { [K in keyof T]: Input<T[K]> }
    : T extends object
      ? { [K in keyof T]: Input<T[K]> }
      : never;

/** A task's parameter list with each parameter widened to {@link Input}. */
export type InputArgs<A extends readonly unknown[]> = { [K in keyof A]: Input<A[K]> };

/** The value a reference resolves to. */
export type RefValue<R> = R extends Ref<infer T> ? T : never;

/**
 * What `run()` resolves to for the given leaves: one value for a single reference, a tuple of
 * values for a tuple of references.
 */
export type RunResult<L> =
  L extends Ref<infer T>
    ? T
    : L extends readonly unknown[]
      ? { -readonly [K in keyof L]: RefValue<L[K]> }
      : never;

/** Leaves of a workflow: one reference, or an array of them. */
export type Leaves = Ref | readonly Ref[];

/** A node whose function returns `R` (or a promise of `R`). */
export type NodeOf<R> = Node<Awaited<R>>;
