/** The names of JavaScript's typed array constructors, as globals and as `Symbol.toStringTag`s. */
export const typedArrayNames = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

/** One of {@link typedArrayNames}. */
export type TypedArrayName = (typeof typedArrayNames)[number];
