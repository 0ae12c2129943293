/**
 * Argument values as canonical bytes, for cache keys: equal values give equal bytes whatever
 * the order their object keys were written in, typed arrays count by their content (a large one
 * by its XXH64, so a key never holds a copy of it), and references to other nodes are written
 * as their place among the node's parents: what they hold enters the key through the parents'
 * own keys, never by hashing results.
 *
 * Iterative, with its own stack, like the argument walker: an argument nested 100,000 deep
 * encodes like a flat one.
 */
import { Ref } from '../graph/node.js';
import type { KeyHasher } from './key-hasher.js';

/** One byte before every value says what follows. Changing any of these changes every key. */
enum Tag {
  undefined = 0,
  null = 1,
  false = 2,
  true = 3,
  number = 4,
  bigint = 5,
  string = 6,
  array = 7,
  hole = 8,
  object = 9,
  ref = 10,
  view = 11,
  buffer = 12,
  date = 13,
  regexp = 14,
  map = 15,
  set = 16,
  seenBefore = 17,
  function = 18,
  symbol = 19,
  instance = 20,
}

/** Views and buffers up to this size are written as they are; larger ones by their XXH64. */
const INLINE_BYTES = 64;

/** Lengths up to which {@link CanonicalEncoder.bytes} reuses its views. */
const VIEW_CACHE_LIMIT = 1024;

/** Marks an array's missing element on the encoder's stack. */
const hole: unique symbol = Symbol('hole');

/**
 * Writes values into one growing buffer, reused from node to node: encoding a small argument
 * allocates nothing.
 *
 * @example
 * const encoder = new CanonicalEncoder(await loadKeyHasher());
 * encoder.value({ b: 1, a: [2, 3] }, () => 0);
 * hasher.hashBytes(encoder.bytes()); // the same for { a: [2, 3], b: 1 }
 */
export class CanonicalEncoder {
  #bytes = new Uint8Array(4096);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;
  readonly #hasher: KeyHasher;
  readonly #stack: unknown[] = [];
  /** Views on the start of the buffer, by length (see {@link bytes}). */
  #views: (Uint8Array | undefined)[] = [];

  constructor(hasher: KeyHasher) {
    this.#hasher = hasher;
  }

  /** Starts over (the buffer is kept). */
  reset(): void {
    this.#length = 0;
  }

  /** What was written since {@link reset}: a view on the encoder's buffer, valid until the next write. */
  bytes(): Uint8Array {
    const length = this.#length;
    if (length >= VIEW_CACHE_LIMIT) return this.#bytes.subarray(0, length);
    // Nodes of one task encode to the same length: their view is made once, not per node (a
    // view per node was most of the garbage of keying 100,000 trivial nodes).
    let view = this.#views[length];
    if (view === undefined) {
      view = this.#bytes.subarray(0, length);
      this.#views[length] = view;
    }
    return view;
  }

  /** One byte. */
  byte(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }

  /** An unsigned 32-bit integer. */
  uint32(value: number): void {
    this.#reserve(4);
    this.#view.setUint32(this.#length, value, true);
    this.#length += 4;
  }

  /** A 64-bit key. */
  key(value: bigint): void {
    this.#reserve(8);
    this.#view.setBigUint64(this.#length, value, true);
    this.#length += 8;
  }

  /** A string as its UTF-16 code units (lone surrogates included), after its length. */
  string(text: string): void {
    const count = text.length;
    this.#reserve(5 + 2 * count);
    const bytes = this.#bytes;
    let at = this.#length;
    bytes[at++] = Tag.string;
    this.#view.setUint32(at, count, true);
    at += 4;
    for (let index = 0; index < count; index++) {
      const unit = text.charCodeAt(index);
      bytes[at++] = unit & 0xff;
      bytes[at++] = unit >>> 8;
    }
    this.#length = at;
  }

  /**
   * Any argument value. `refPosition` says where a referenced node stands among the node's
   * parents.
   */
  value(root: unknown, refPosition: (ref: Ref) => number): void {
    // The usual arguments of a trivial node (a number, a string, a parent) skip the stack.
    if (typeof root === 'number') {
      this.#number(root);
      return;
    }
    if (typeof root === 'string') {
      this.string(root);
      return;
    }
    if (root instanceof Ref && root.path.length === 0) {
      this.byte(Tag.ref);
      this.uint32(refPosition(root));
      this.uint32(0);
      return;
    }
    const stack = this.#stack;
    stack.push(root);
    // Containers met so far, by first appearance: a container met again (shared or cyclic)
    // is written as a back-reference, which also ends cycles.
    let seen: Map<object, number> | undefined;
    while (stack.length > 0) {
      const value = stack.pop();
      switch (typeof value) {
        case 'number':
          this.#number(value);
          continue;
        case 'string':
          this.string(value);
          continue;
        case 'boolean':
          this.byte(value ? Tag.true : Tag.false);
          continue;
        case 'undefined':
          this.byte(Tag.undefined);
          continue;
        case 'bigint':
          this.byte(Tag.bigint);
          this.string(value.toString());
          continue;
        case 'symbol':
          if (value === hole) this.byte(Tag.hole);
          else {
            this.byte(Tag.symbol);
            this.string(value.description ?? '');
          }
          continue;
        case 'function':
          this.byte(Tag.function);
          this.string(Function.prototype.toString.call(value));
          continue;
      }
      if (value === null) {
        this.byte(Tag.null);
        continue;
      }
      const object = value as object;
      if (object instanceof Ref) {
        this.byte(Tag.ref);
        this.uint32(refPosition(object));
        this.uint32(object.path.length);
        for (let index = object.path.length - 1; index >= 0; index--) stack.push(object.path[index]);
        continue;
      }
      seen ??= new Map();
      const first = seen.get(object);
      if (first !== undefined) {
        this.byte(Tag.seenBefore);
        this.uint32(first);
        continue;
      }
      seen.set(object, seen.size);
      this.#container(object, stack);
    }
  }

  #number(value: number): void {
    this.#reserve(9);
    this.#bytes[this.#length] = Tag.number;
    // One NaN: NaNs with other bit patterns are the same value to the function.
    this.#view.setFloat64(this.#length + 1, Number.isNaN(value) ? Number.NaN : value, true);
    this.#length += 9;
  }

  /** Writes an object's header and pushes its parts, last first, so they pop in order. */
  #container(object: object, stack: unknown[]): void {
    if (Array.isArray(object)) {
      this.byte(Tag.array);
      this.uint32(object.length);
      for (let index = object.length - 1; index >= 0; index--)
        stack.push(index in object ? object[index] : hole);
      return;
    }
    if (ArrayBuffer.isView(object)) {
      this.byte(Tag.view);
      this.string(object.constructor.name);
      this.#content(new Uint8Array(object.buffer, object.byteOffset, object.byteLength));
      return;
    }
    if (object instanceof ArrayBuffer || object instanceof SharedArrayBuffer) {
      this.byte(Tag.buffer);
      this.string(object.constructor.name);
      this.#content(new Uint8Array(object));
      return;
    }
    if (object instanceof Date) {
      this.byte(Tag.date);
      this.#number(object.getTime());
      return;
    }
    if (object instanceof RegExp) {
      this.byte(Tag.regexp);
      this.string(object.source);
      this.string(object.flags);
      return;
    }
    // Maps and Sets keep insertion order: it is what their iteration shows the function.
    if (object instanceof Map) {
      this.byte(Tag.map);
      this.uint32(object.size);
      const entries = [...object];
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, entry] = entries[index] as [unknown, unknown];
        stack.push(entry, key);
      }
      return;
    }
    if (object instanceof Set) {
      this.byte(Tag.set);
      this.uint32(object.size);
      const members = [...object];
      for (let index = members.length - 1; index >= 0; index--) stack.push(members[index]);
      return;
    }
    const prototype = Object.getPrototypeOf(object);
    if (prototype === Object.prototype || prototype === null) this.byte(Tag.object);
    else {
      this.byte(Tag.instance);
      this.string(typeof prototype?.constructor === 'function' ? prototype.constructor.name : '');
    }
    // Sorted: { a, b } and { b, a } are the same argument.
    const keys = Object.keys(object).sort();
    this.uint32(keys.length);
    const record = object as Record<string, unknown>;
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index] as string;
      stack.push(record[key], key);
    }
  }

  /** A byte length and the bytes themselves, or their XXH64 when large (the length says which). */
  #content(bytes: Uint8Array): void {
    const length = bytes.byteLength;
    this.#reserve(8 + Math.min(length, INLINE_BYTES));
    this.#view.setFloat64(this.#length, length, true);
    this.#length += 8;
    if (length > INLINE_BYTES) {
      this.key(this.#hasher.hashLarge(bytes));
      return;
    }
    this.#bytes.set(bytes, this.#length);
    this.#length += length;
  }

  #reserve(count: number): void {
    const needed = this.#length + count;
    if (needed <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
    this.#views = [];
  }
}
