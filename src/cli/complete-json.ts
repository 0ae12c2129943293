/**
 * Results in full, as `functionfuse run` writes them to a file or a pipe (`> results.json`,
 * `--out`): JSON that {@link parseResultJson} reads back into the same values, typed arrays
 * included. What JSON cannot spell is an object tagged with `"$type"`:
 *
 * | value | written as |
 * |---|---|
 * | `Float64Array` (any typed array) | `{ "$type": "Float64Array", "values": [0.5, 1] }` (non-finite elements as `"NaN"`, `"Infinity"`, BigInt elements as decimal strings) |
 * | `ArrayBuffer`, `SharedArrayBuffer`, `DataView` | `{ "$type": "ArrayBuffer", "base64": "AAE=" }` |
 * | `Map`, `Set` | `{ "$type": "Map", "entries": [[k, v]] }`, `{ "$type": "Set", "values": [...] }` |
 * | `Date` | `{ "$type": "Date", "value": "2024-01-01T00:00:00.000Z" }` (`null` if invalid) |
 * | `NaN`, `±Infinity`, a BigInt, `undefined` | `{ "$type": "number", "value": "NaN" }`, `{ "$type": "bigint", "value": "12" }`, `{ "$type": "undefined" }` |
 * | an `Error` | `{ "$type": "Error", "name": "RangeError", "message": "..." }` |
 * | an object with its own `$type` key | `{ "$type": "Object", "entries": [[k, v]] }` |
 *
 * Functions and symbols become `null` and a cycle `"[Circular]"`: those do not round-trip.
 * Class instances become plain objects of their own enumerable fields.
 */
import { type TypedArrayName, typedArrayNames } from '../util/typed-array-names.js';
import { layoutJson, RawJson } from './result-json.js';

const bufferTypes = ['ArrayBuffer', 'SharedArrayBuffer', 'DataView'] as const;

/**
 * A run's result written in full, laid out as {@link formatResultJson} lays out a summary
 * (short arrays and objects on one line; a typed array's values always on one line).
 *
 * @example
 * formatCompleteResultJson({ mean: 2, samples: new Float64Array([1, 2]) });
 * // '{ "mean": 2, "samples": { "$type": "Float64Array", "values": [1, 2] } }'
 */
export function formatCompleteResultJson(value: unknown): string {
  return layoutJson(toCompleteJson(value, new Set()), '');
}

/**
 * Reads what `functionfuse run` wrote in full (a file given with `--out`, or stdout sent to a
 * file) back into the values the pipeline returned: typed arrays, buffers, Maps, Sets, Dates,
 * BigInts and non-finite numbers included.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * const [total, samples] = parseResultJson(readFileSync('results.json', 'utf8')) as [number, Float64Array];
 */
export function parseResultJson(text: string): unknown {
  return reviveDeep(JSON.parse(text) as unknown);
}

/**
 * Inner values first, as a JSON.parse reviver would go; by hand, because a reviver that
 * returns `undefined` deletes the field instead of keeping it.
 */
function reviveDeep(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(reviveDeep);
  const revived: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) revived[key] = reviveDeep(inner);
  return revive(revived);
}

function toCompleteJson(value: unknown, onPath: Set<object>): unknown {
  switch (typeof value) {
    case 'number':
      if (Object.is(value, -0)) return new RawJson('-0');
      return Number.isFinite(value) ? value : { $type: 'number', value: String(value) };
    case 'bigint':
      return { $type: 'bigint', value: String(value) };
    case 'undefined':
      return { $type: 'undefined' };
    case 'function':
    case 'symbol':
      return null;
    case 'string':
    case 'boolean':
      return value;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof DataView) return { $type: 'DataView', base64: base64Of(object) };
  if (ArrayBuffer.isView(object)) return typedArrayJson(object);
  if (object instanceof ArrayBuffer || object instanceof SharedArrayBuffer) {
    return { $type: object.constructor.name, base64: base64Of(new Uint8Array(object)) };
  }
  if (object instanceof Date) {
    return { $type: 'Date', value: Number.isNaN(object.getTime()) ? null : object.toISOString() };
  }
  if (object instanceof Error) return { $type: 'Error', name: object.name, message: object.message };
  if (onPath.has(object)) return '[Circular]';
  onPath.add(object);
  try {
    const each = (inner: unknown) => toCompleteJson(inner, onPath);
    if (Array.isArray(object)) return object.map(each);
    if (object instanceof Map)
      return { $type: 'Map', entries: [...object].map(([k, v]) => [each(k), each(v)]) };
    if (object instanceof Set) return { $type: 'Set', values: [...object].map(each) };
    const entries = Object.entries(object).map(([key, inner]) => [key, each(inner)] as const);
    if (Object.hasOwn(object, '$type')) return { $type: 'Object', entries };
    return Object.fromEntries(entries);
  } finally {
    onPath.delete(object);
  }
}

/** The values on one line, built once: a typed array can hold millions of them. */
function typedArrayJson(array: ArrayBufferView): { $type: string; values: RawJson } {
  const elements = array as unknown as ArrayLike<number | bigint>;
  const texts = new Array<string>(elements.length);
  for (let index = 0; index < elements.length; index++) {
    const element = elements[index] as number | bigint;
    texts[index] =
      typeof element === 'bigint'
        ? `"${element}"`
        : Number.isFinite(element)
          ? Object.is(element, -0)
            ? '-0'
            : String(element)
          : `"${element}"`;
  }
  return { $type: array.constructor.name, values: new RawJson(`[${texts.join(', ')}]`) };
}

function base64Of(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

function revive(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const tagged = value as Record<string, unknown>;
  const type = tagged['$type'];
  if (typeof type !== 'string') return value;
  if ((typedArrayNames as readonly string[]).includes(type) && Array.isArray(tagged['values'])) {
    return typedArrayOf(type as TypedArrayName, tagged['values'] as unknown[]);
  }
  if ((bufferTypes as readonly string[]).includes(type) && typeof tagged['base64'] === 'string') {
    const bytes = Buffer.from(tagged['base64'], 'base64');
    const buffer =
      type === 'SharedArrayBuffer' ? new SharedArrayBuffer(bytes.length) : new ArrayBuffer(bytes.length);
    new Uint8Array(buffer).set(bytes);
    return type === 'DataView' ? new DataView(buffer) : buffer;
  }
  switch (type) {
    case 'number':
      return Number(tagged['value']);
    case 'bigint':
      return BigInt(tagged['value'] as string);
    case 'undefined':
      return undefined;
    case 'Date':
      return new Date(tagged['value'] === null ? Number.NaN : (tagged['value'] as string));
    case 'Map':
      return new Map(tagged['entries'] as [unknown, unknown][]);
    case 'Set':
      return new Set(tagged['values'] as unknown[]);
    case 'Object':
      return Object.fromEntries(tagged['entries'] as [string, unknown][]);
    case 'Error': {
      const error = new Error(String(tagged['message']));
      error.name = String(tagged['name']);
      return error;
    }
    default:
      return value;
  }
}

function typedArrayOf(type: TypedArrayName, values: readonly unknown[]): ArrayBufferView {
  if (type === 'BigInt64Array' || type === 'BigUint64Array') {
    const array =
      type === 'BigInt64Array' ? new BigInt64Array(values.length) : new BigUint64Array(values.length);
    values.forEach((each, index) => {
      array[index] = BigInt(each as string);
    });
    return array;
  }
  const numbers = values.map((each) => (typeof each === 'string' ? Number(each) : (each as number)));
  return new globalThis[type](numbers);
}
