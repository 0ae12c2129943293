/**
 * Walking a value's binary parts (typed arrays, DataViews, ArrayBuffers, SharedArrayBuffers)
 * through the containers structured cloning carries (arrays, plain objects, Maps, Sets), and
 * rebuilding the value with some of those parts replaced. Used where a value's memory must
 * change kind: into shared memory for `shareResult`, out of it for storage (V8's serializer
 * in Node cannot read a SharedArrayBuffer back).
 *
 * Other objects (Dates, Errors, class instances) are neither entered nor rebuilt: they are
 * kept as they are. Both walks stop below `maxDepth` levels, leaving deeper parts as they are,
 * so a value nested absurdly deep cannot overflow the stack here (whoever checks the value
 * refuses it).
 */

/** A binary part of a value. */
export type BinaryPart = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

/** Calls `visit` once for each distinct binary part within `maxDepth` levels of `value`. */
export function forEachBinaryPart(value: unknown, maxDepth: number, visit: (part: BinaryPart) => void): void {
  const seen = new Set<object>();
  const walk = (current: unknown, depth: number): void => {
    if (current === null || typeof current !== 'object' || depth > maxDepth || seen.has(current)) return;
    seen.add(current);
    if (isBinaryPart(current)) visit(current);
    else forEachChild(current, (child) => walk(child, depth + 1));
  };
  walk(value, 1);
}

/**
 * `value` rebuilt with each binary part replaced by what `replace` returns for it (called once
 * per distinct part). Containers are copied, not changed: the caller's value stays as it was.
 * Identity is kept: an object met twice (or in a cycle) is one copy met twice.
 *
 * @example
 * const copy = replaceBinaryParts({ data: view }, 1000, (part) => (part === view ? other : part));
 */
export function replaceBinaryParts(
  value: unknown,
  maxDepth: number,
  replace: (part: BinaryPart) => unknown,
): unknown {
  const done = new Map<object, unknown>();
  const rebuild = (current: unknown, depth: number): unknown => {
    if (current === null || typeof current !== 'object' || depth > maxDepth) return current;
    if (done.has(current)) return done.get(current);
    const inner = depth + 1;
    if (isBinaryPart(current)) {
      const replaced = replace(current);
      done.set(current, replaced);
      return replaced;
    }
    if (Array.isArray(current)) {
      const copy = new Array<unknown>(current.length);
      done.set(current, copy);
      for (let index = 0; index < current.length; index++) {
        if (index in current) copy[index] = rebuild(current[index], inner);
      }
      return copy;
    }
    if (current instanceof Map) {
      const copy = new Map<unknown, unknown>();
      done.set(current, copy);
      for (const [key, entry] of current) copy.set(rebuild(key, inner), rebuild(entry, inner));
      return copy;
    }
    if (current instanceof Set) {
      const copy = new Set<unknown>();
      done.set(current, copy);
      for (const entry of current) copy.add(rebuild(entry, inner));
      return copy;
    }
    if (!isPlainObject(current)) return current;
    const copy = Object.create(Object.getPrototypeOf(current) as object | null) as Record<string, unknown>;
    done.set(current, copy);
    for (const key of Object.keys(current))
      copy[key] = rebuild((current as Record<string, unknown>)[key], inner);
    return copy;
  };
  return rebuild(value, 1);
}

function isBinaryPart(value: object): value is BinaryPart {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === Object.prototype || prototype === null;
}

/** Calls `visit` on each part of a container that is rebuilt; nothing for any other object. */
function forEachChild(container: object, visit: (child: unknown) => void): void {
  if (Array.isArray(container)) {
    for (const child of container) visit(child);
  } else if (container instanceof Map) {
    for (const [key, entry] of container) {
      visit(key);
      visit(entry);
    }
  } else if (container instanceof Set) {
    for (const entry of container) visit(entry);
  } else if (isPlainObject(container)) {
    for (const key of Object.keys(container)) visit((container as Record<string, unknown>)[key]);
  }
}
