/**
 * A stored result described for a person at a terminal: what it is, how big, and what its
 * first values look like, without printing a million numbers.
 */

/** Values shown of an array or typed array. */
const shownValues = 8;
/** Fields of an object described one by one before the rest are only counted. */
const shownFields = 20;

/**
 * Lines describing `value`: `type`, then its size (`length`, `shape`, `size`, `fields`) and
 * first values; an object's fields each get one line.
 *
 * @example
 * summariseValue(new Float64Array([0.5, 1.5]));
 * // ['type: Float64Array', 'length: 2', 'first values: 0.5, 1.5']
 * summariseValue({ mean: 2, weights: new Float32Array(1000) });
 * // ['type: Object', 'fields: 2', '  mean: number 2', '  weights: Float32Array(1000) [0, 0, 0, 0, 0, 0, 0, 0, …]']
 */
export function summariseValue(value: unknown): string[] {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return [`type: ${value === null ? 'null' : typeof value}`, `value: ${primitiveText(value)}`];
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const array = value as unknown as ArrayLike<number | bigint>;
    return [
      `type: ${value.constructor.name}`,
      `length: ${array.length}`,
      `first values: ${firstValues(array)}`,
    ];
  }
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer || value instanceof DataView) {
    const bytes =
      value instanceof DataView
        ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
        : new Uint8Array(value);
    return [
      `type: ${value.constructor.name}`,
      `bytes: ${bytes.length}`,
      `first bytes: ${firstValues(bytes)}`,
    ];
  }
  if (Array.isArray(value)) {
    const shape = shapeOf(value);
    return [
      'type: Array',
      shape.length > 1 ? `shape: ${shape.join(' × ')}` : `length: ${value.length}`,
      `first values: ${firstValues(shape.length > 1 ? value.flat(shape.length - 1) : value)}`,
    ];
  }
  if (value instanceof Map || value instanceof Set) {
    const entries = [...value].slice(0, shownValues).map((entry) => inlineText(entry));
    const more = value.size > shownValues ? ', …' : '';
    return [
      `type: ${value.constructor.name}`,
      `size: ${value.size}`,
      `first entries: ${entries.join(', ')}${more}`,
    ];
  }
  if (value instanceof Date) return ['type: Date', `value: ${inlineText(value)}`];
  const entries = Object.entries(value);
  const lines = [`type: ${value.constructor?.name ?? 'Object'}`, `fields: ${entries.length}`];
  for (const [key, field] of entries.slice(0, shownFields)) lines.push(`  ${key}: ${describeInline(field)}`);
  if (entries.length > shownFields) lines.push(`  … ${entries.length - shownFields} more`);
  return lines;
}

/** A field in one line: its type, then a short rendering. */
function describeInline(value: unknown): string {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return `${value === null ? 'null' : typeof value} ${primitiveText(value)}`;
  }
  return inlineText(value);
}

function inlineText(value: unknown): string {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function'))
    return primitiveText(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const array = value as unknown as ArrayLike<number | bigint>;
    return `${value.constructor.name}(${array.length}) [${firstValues(array)}]`;
  }
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    return `${value.constructor.name}(${value.byteLength} bytes)`;
  }
  if (Array.isArray(value)) {
    const shape = shapeOf(value);
    return `Array(${shape.join(' × ')}) [${firstValues(shape.length > 1 ? value.flat(shape.length - 1) : value)}]`;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Map || value instanceof Set) return `${value.constructor.name}(${value.size})`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  const keys = Object.keys(value);
  const shown = keys.slice(0, 5).join(', ');
  return `${value.constructor?.name ?? 'Object'} { ${shown}${keys.length > 5 ? ', …' : ''} }`;
}

function primitiveText(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

function firstValues(values: ArrayLike<unknown>): string {
  const shown: string[] = [];
  for (let index = 0; index < Math.min(values.length, shownValues); index++) {
    shown.push(inlineText(values[index]));
  }
  return `${shown.join(', ')}${values.length > shownValues ? ', …' : ''}`;
}

/**
 * The dimensions of nested arrays when they are rectangular (`[[1, 2], [3, 4]]` is 2 × 2),
 * else just the outer length: a ragged array has no shape to speak of.
 */
function shapeOf(array: readonly unknown[]): number[] {
  const shape = [array.length];
  let level: readonly unknown[] = array;
  while (level.length > 0 && level.every((each) => Array.isArray(each))) {
    const rows = level as readonly unknown[][];
    const width = (rows[0] as unknown[]).length;
    if (!rows.every((row) => row.length === width)) break;
    shape.push(width);
    level = rows.flat();
  }
  return shape;
}
