/**
 * Results as `functionfuse run` prints them on a terminal: JSON a person can read, with large
 * binary values summarised instead of printed in full (a file or a pipe gets them in full: see
 * complete-json.ts), and the layout both forms share.
 */

/** How many values of a typed array are shown; the rest only counts. */
const shownElements = 8;
/** Arrays and objects that fit in this many columns stay on one line. */
const lineWidth = 100;

/**
 * A run's result as indented JSON, arrays and objects that fit kept on one line. Typed arrays,
 * ArrayBuffers, Maps, Sets and BigInts, which JSON cannot spell, become small objects or
 * strings; non-finite numbers become strings (`"NaN"`) instead of a misleading `null`;
 * `undefined` and functions become `null`.
 *
 * @example
 * formatResultJson({ mean: 2, samples: new Float64Array([1, 2, 3]) });
 * // '{ "mean": 2, "samples": { "type": "Float64Array", "length": 3, "first": [1, 2, 3] } }'
 */
export function formatResultJson(value: unknown): string {
  return layoutJson(toJsonValue(value, new Set()), '');
}

/**
 * Whether {@link formatResultJson} would summarise part of `value` (it holds a typed array or
 * a buffer), so the CLI can say where the full values are.
 *
 * @example
 * holdsBinary([1, { samples: new Float64Array(3) }]);  // true
 */
export function holdsBinary(value: unknown, seen = new Set<object>()): boolean {
  if (value === null || typeof value !== 'object' || seen.has(value)) return false;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer)
    return true;
  seen.add(value);
  const inner =
    value instanceof Map ? [...value].flat() : value instanceof Set ? [...value] : Object.values(value);
  return inner.some((each) => holdsBinary(each, seen));
}

/**
 * JSON text placed as it is by {@link layoutJson}, never split over lines: a typed array's
 * values, built once.
 *
 * @example
 * layoutJson({ values: new RawJson('[1, 2]') }, '');  // '{ "values": [1, 2] }'
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * Lays out a JSON-safe value (primitives, arrays, plain objects, {@link RawJson}) as indented
 * JSON, keeping on one line each array or object that fits in the line width.
 *
 * @example
 * layoutJson([1, { a: 2 }], '');  // '[1, { "a": 2 }]'
 */
export function layoutJson(value: unknown, indent: string): string {
  const inline = inlineJson(value);
  if (
    indent.length + inline.length <= lineWidth ||
    value === null ||
    typeof value !== 'object' ||
    value instanceof RawJson
  )
    return inline;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((each) => inner + layoutJson(each, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, each]) => `${inner}${JSON.stringify(key)}: ${layoutJson(each, inner)}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

function inlineJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([key, each]) => `${JSON.stringify(key)}: ${inlineJson(each)}`).join(', ')} }`;
}

/**
 * A short description of a typed array or ArrayBuffer: its type, length and first values.
 *
 * @example
 * summariseBinary(new Int32Array(1000));
 * // { type: 'Int32Array', length: 1000, first: [0, 0, 0, 0, 0, 0, 0, 0] }
 */
export function summariseBinary(value: ArrayBufferView | ArrayBuffer | SharedArrayBuffer): {
  type: string;
  length: number;
  first: (number | string)[];
} {
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    const bytes = new Uint8Array(value, 0, Math.min(value.byteLength, shownElements));
    return { type: value.constructor.name, length: value.byteLength, first: [...bytes] };
  }
  if (value instanceof DataView) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, Math.min(value.byteLength, shownElements));
    return { type: 'DataView', length: value.byteLength, first: [...bytes] };
  }
  const array = value as unknown as ArrayLike<number | bigint>;
  const first: (number | string)[] = [];
  for (let index = 0; index < Math.min(array.length, shownElements); index++) {
    first.push(jsonNumber(array[index] as number | bigint));
  }
  return { type: value.constructor.name, length: array.length, first };
}

function toJsonValue(value: unknown, onPath: Set<object>): unknown {
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return jsonNumber(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return null;
    case 'string':
    case 'boolean':
      return value;
  }
  if (value === null) return null;
  const object = value as object;
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer || object instanceof SharedArrayBuffer) {
    return summariseBinary(object);
  }
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof Error) return { type: object.name, message: object.message };
  // A result can hold the same object twice (fine) or, from an actor's fields, a cycle (not
  // JSON): only the cycle is cut.
  if (onPath.has(object)) return '[Circular]';
  onPath.add(object);
  try {
    if (Array.isArray(object)) return object.map((each) => toJsonValue(each, onPath));
    if (object instanceof Map) {
      return {
        type: 'Map',
        entries: [...object].map(([key, each]) => [toJsonValue(key, onPath), toJsonValue(each, onPath)]),
      };
    }
    if (object instanceof Set) {
      return { type: 'Set', values: [...object].map((each) => toJsonValue(each, onPath)) };
    }
    const entries = Object.entries(object).map(([key, each]) => [key, toJsonValue(each, onPath)] as const);
    return Object.fromEntries(entries);
  } finally {
    onPath.delete(object);
  }
}

function jsonNumber(value: number | bigint): number | string {
  if (typeof value === 'bigint') return `${value}n`;
  return Number.isFinite(value) ? value : String(value);
}
