/**
 * A typed array in SharedArrayBuffer memory, for a task that knows its result will be read by
 * several nodes: made there from the start, the result is never copied, with or without the
 * `shareResult` option. With the option, `new Float64Array(n)` in the task makes a large array
 * there too (shared-allocation.ts); this is the explicit way, for a task without the option, a
 * small array, or code that keeps its own constructors. An array the option has to copy costs
 * the copy's page faults and holds both arrays while it lasts (bench/threads/fan-out.ts).
 */
import { describeValue } from '../errors.js';
import { feelSharedMemory } from './shared-memory-pressure.js';

/** A typed array constructor (`Float64Array`, `Int32Array`, `BigInt64Array`, ...). */
export interface TypedArrayConstructor<T extends ArrayBufferView> {
  new (buffer: SharedArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

const typedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype) as object;

/**
 * A new `type` of `length` elements, all zero, viewing a SharedArrayBuffer of its own.
 *
 * Consumers of the result (on any thread, on ThreadWorkflow) read this memory itself: it is
 * never copied, so a consumer that writes to it changes it for every other consumer (the
 * contract of `shareResult`). FileStorage stores its bytes like any typed array's; a result
 * read back from storage is ordinary memory unless the node has the `shareResult` option.
 *
 * @throws TypeError when `type` is not a typed array constructor or `length` is not an
 *   integer from 0 up
 * @example
 * export const load = task(function load(count: number) {
 *   const values = sharedArray(Float64Array, count); // every reader sees this memory
 *   for (let index = 0; index < count; index++) values[index] = index + 1;
 *   return values;
 * });
 */
export function sharedArray<T extends ArrayBufferView>(type: TypedArrayConstructor<T>, length: number): T {
  if (typeof type !== 'function' || Object.getPrototypeOf(type.prototype) !== typedArrayPrototype) {
    throw new TypeError(`Expected \`type\` to be a typed array constructor, got ${describeValue(type)}`);
  }
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new TypeError(`Expected \`length\` to be an integer from 0 and up, got ${describeValue(length)}`);
  }
  const bytes = length * type.BYTES_PER_ELEMENT;
  feelSharedMemory(bytes);
  return new type(new SharedArrayBuffer(bytes), 0, length);
}
