/**
 * One walk over a value that is about to cross a thread boundary: it collects the
 * ArrayBuffers that can be moved instead of copied, and finds the first part that cannot
 * cross faithfully.
 *
 * Structured cloning throws on functions and symbols, but it silently turns a class instance
 * into a plain object without its methods; a result would then differ between LocalWorkflow
 * and ThreadWorkflow, so we refuse it too, naming where it sits.
 *
 * Cloning is recursive, so depth has a limit too: an object nested about 2,000 levels deep
 * overflows the stack of the main thread that receives it, and the message is dropped without
 * a word (the run would hang). We refuse values nested more than {@link maxNestingDepth} levels
 * before they are sent; the walk itself stops there, so it never overflows either.
 */

/**
 * The deepest nesting of arrays, objects, Maps and Sets a value may have to cross threads: half
 * of what the main thread's default stack can receive (objects fail from about 1,900 levels,
 * workers with the smallest allowed stack, 1 MB, from about 1,600).
 */
export const maxNestingDepth = 1000;

/** Built-in classes that structured cloning carries with their type. */
const cloneableClasses: readonly (abstract new (...args: never[]) => unknown)[] = [
  Date,
  RegExp,
  Map,
  Set,
  ArrayBuffer,
  SharedArrayBuffer,
  DataView,
  Error,
  Boolean,
  Number,
  String,
  BigInt as unknown as abstract new () => unknown,
];

const typedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype) as object;

/** Where a value that cannot cross threads sits, and what it is. */
export interface CloneProblem {
  /** `nested-too-deeply`: more than {@link maxNestingDepth} levels (the path is then the root's). */
  readonly kind: 'uncloneable' | 'nested-too-deeply';
  /** A readable path from the root, such as `[1].model.predict`. */
  readonly path: string;
  readonly description: string;
  /** For an instance of a class structured cloning does not carry: the class's name. */
  readonly instanceOf?: string;
}

export interface ValueInspection {
  /** Buffers that may be transferred (whole, unshared, not detached). */
  readonly transferables: readonly ArrayBuffer[];
  readonly problem: CloneProblem | undefined;
  /** The byte length of the distinct SharedArrayBuffers the value holds or views (when collecting). */
  readonly sharedBytes: number;
}

const nothingToReport: ValueInspection = Object.freeze({
  transferables: Object.freeze([]),
  problem: undefined,
  sharedBytes: 0,
});

/**
 * Walks `value`. When `collectTransferables` is false, only looks for problems. Typed array
 * contents are never walked, so a large numeric result costs one step. Objects for which
 * `isPlaceholder` is true (graph references inside arguments) are skipped.
 */
export function inspectValue(
  value: unknown,
  collectTransferables: boolean,
  isPlaceholder: (value: object) => boolean = () => false,
): ValueInspection {
  // Most node results are primitives: answer them without allocating anything.
  if (
    value === null ||
    (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')
  ) {
    return nothingToReport;
  }
  const transferables = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  let problem: CloneProblem | undefined;
  let shared: Set<SharedArrayBuffer> | undefined;

  const addBuffer = (buffer: ArrayBufferLike, byteOffset: number, byteLength: number): void => {
    if (collectTransferables && buffer instanceof SharedArrayBuffer) {
      shared ??= new Set();
      shared.add(buffer);
      return;
    }
    // Only a view that covers its whole buffer may move it: a pooled Node Buffer shares its
    // ArrayBuffer with unrelated Buffers that moving would detach.
    if (
      collectTransferables &&
      buffer instanceof ArrayBuffer &&
      byteOffset === 0 &&
      byteLength === buffer.byteLength &&
      byteLength > 0
    ) {
      transferables.add(buffer);
    }
  };

  const walk = (current: unknown, path: string, depth: number): void => {
    if (problem !== undefined) return;
    if (typeof current === 'function') {
      problem = { kind: 'uncloneable', path, description: `a function (${current.name || 'anonymous'})` };
      return;
    }
    if (typeof current === 'symbol') {
      problem = { kind: 'uncloneable', path, description: `a symbol (${String(current)})` };
      return;
    }
    if (current === null || typeof current !== 'object') return;
    if (seen.has(current) || isPlaceholder(current)) return;
    seen.add(current);
    if (depth > maxNestingDepth) {
      problem = {
        kind: 'nested-too-deeply',
        path: '',
        description:
          `nested more than ${maxNestingDepth} levels deep (arrays, objects, Maps or Sets inside one another), ` +
          'deeper than structured cloning between threads can carry',
      };
      return;
    }
    const inner = depth + 1;

    if (ArrayBuffer.isView(current)) {
      addBuffer(current.buffer, current.byteOffset, current.byteLength);
      return;
    }
    if (current instanceof ArrayBuffer || current instanceof SharedArrayBuffer) {
      addBuffer(current, 0, current.byteLength);
      return;
    }
    if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index++) walk(current[index], `${path}[${index}]`, inner);
      return;
    }
    if (current instanceof Map) {
      let index = 0;
      for (const [key, entry] of current) {
        walk(key, `${path}.<map key ${index}>`, inner);
        walk(entry, `${path}.get(${describeKey(key)})`, inner);
        index++;
      }
      return;
    }
    if (current instanceof Set) {
      let index = 0;
      for (const entry of current) walk(entry, `${path}.<set entry ${index++}>`, inner);
      return;
    }
    const prototype = Object.getPrototypeOf(current) as object | null;
    if (prototype !== Object.prototype && prototype !== null) {
      if (Object.getPrototypeOf(prototype) === typedArrayPrototype) return;
      if (!cloneableClasses.some((cls) => current instanceof cls)) {
        const className =
          (current as { constructor?: { name?: string } }).constructor?.name ?? 'an unknown class';
        problem = {
          kind: 'uncloneable',
          path,
          description: `an instance of ${className}, which would arrive as a plain object without its methods`,
          instanceOf: className,
        };
        return;
      }
      if (!(current instanceof Error)) return;
    }
    for (const key of Object.keys(current)) {
      walk((current as Record<string, unknown>)[key], `${path}${formatKey(key)}`, inner);
    }
  };

  walk(value, '', 1);
  let sharedBytes = 0;
  for (const buffer of shared ?? []) sharedBytes += buffer.byteLength;
  return { transferables: [...transferables], problem, sharedBytes };
}

function formatKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : String(key);
}
