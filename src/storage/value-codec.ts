/**
 * Turns a node's result into bytes and back: a V8 structured-clone payload for the value, plus
 * "raw parts" for large binary data, which travel as the bytes they already are.
 *
 * Why raw parts: V8's serializer copies every typed array into its own output buffer, and its
 * deserializer hands back views into the input buffer (or copies them when misaligned). For a
 * 100 MB Float64Array both are a full extra copy. Here a large view's bytes are written straight
 * from the user's memory, and read back into a fresh ArrayBuffer that becomes the result's
 * buffer: one read, no copy.
 */
import { types } from 'node:util';
import v8 from 'node:v8';
import { replaceBinaryParts } from '../util/binary-parts.js';

/**
 * Typed arrays, DataViews and ArrayBuffers of at least this many bytes are written as raw parts
 * beside the record; smaller ones are inlined, where a separate file would cost more than the
 * copy it saves.
 *
 * @example
 * encodeValue(new Float64Array(RAW_PART_MIN_BYTES / 8)).rawParts.length; // 1
 */
export const RAW_PART_MIN_BYTES = 64 * 1024;

/**
 * A value split for writing: the serialized payload and the raw parts it references.
 *
 * @example
 * const { payload, rawParts }: EncodedValue = encodeValue(value);
 */
export interface EncodedValue {
  /** V8 serialization of the value, raw parts replaced by their index. */
  readonly payload: Buffer;
  /** Byte views on the value's own memory (not copies), in part-index order. */
  readonly rawParts: readonly Uint8Array[];
}

type ViewFactory = (buffer: ArrayBuffer, byteOffset: number, byteLength: number) => ArrayBufferView;

function typedArrayFactory(
  Constructor: new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView,
  bytesPerElement: number,
): ViewFactory {
  return (buffer, byteOffset, byteLength) =>
    new Constructor(buffer, byteOffset, byteLength / bytesPerElement);
}

/**
 * Our own numbering of view kinds, part of the record format: never reorder, only append
 * (a new kind needs a new format version so older readers refuse it cleanly).
 */
const viewKinds: readonly (readonly [name: string, make: ViewFactory])[] = [
  ['Int8Array', typedArrayFactory(Int8Array, 1)],
  ['Uint8Array', typedArrayFactory(Uint8Array, 1)],
  ['Uint8ClampedArray', typedArrayFactory(Uint8ClampedArray, 1)],
  ['Int16Array', typedArrayFactory(Int16Array, 2)],
  ['Uint16Array', typedArrayFactory(Uint16Array, 2)],
  ['Int32Array', typedArrayFactory(Int32Array, 4)],
  ['Uint32Array', typedArrayFactory(Uint32Array, 4)],
  ['Float32Array', typedArrayFactory(Float32Array, 4)],
  ['Float64Array', typedArrayFactory(Float64Array, 8)],
  ['BigInt64Array', typedArrayFactory(BigInt64Array, 8)],
  ['BigUint64Array', typedArrayFactory(BigUint64Array, 8)],
  ['DataView', (buffer, byteOffset, byteLength) => new DataView(buffer, byteOffset, byteLength)],
  // Node's Buffer is a Uint8Array subclass; v8.serialize keeps it a Buffer, and so do we.
  ['Buffer', (buffer, byteOffset, byteLength) => Buffer.from(buffer, byteOffset, byteLength)],
];
const viewKindIndex = new Map(viewKinds.map(([name], index) => [name, index]));

/** How a view's bytes are stored, written right after its kind. */
const INLINE = 0;
const RAW_PART = 1;

// The TypedArray prototype's tag getter names the element type even for subclasses and for
// arrays made in another realm, where `instanceof` and `constructor` would mislead.
const typedArrayTag = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  Symbol.toStringTag,
)?.get as (this: unknown) => string | undefined;

function kindOf(view: ArrayBufferView): number {
  const name = Buffer.isBuffer(view)
    ? 'Buffer'
    : types.isDataView(view)
      ? 'DataView'
      : typedArrayTag.call(view);
  const kind = name === undefined ? undefined : viewKindIndex.get(name);
  if (kind === undefined) throw new TypeError(`${name ?? 'This ArrayBufferView'} cannot be stored`);
  return kind;
}

/**
 * Writes views as host objects (Node's DefaultSerializer already routes every view here):
 * small ones inline, large ones as a reference to a raw part.
 */
class RecordSerializer extends v8.DefaultSerializer {
  readonly rawParts: Uint8Array[] = [];
  readonly #minRawBytes: number;

  constructor(minRawBytes: number) {
    super();
    this.#minRawBytes = minRawBytes;
  }

  /** Sends a large ArrayBuffer out of band; V8 writes only its index. */
  addRawArrayBuffer(buffer: ArrayBuffer): void {
    this.transferArrayBuffer(this.rawParts.length, buffer);
    this.rawParts.push(new Uint8Array(buffer));
  }

  // Called by V8 for each distinct view (a view met twice is written once and referenced).
  _writeHostObject(view: ArrayBufferView): void {
    this.writeUint32(kindOf(view));
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    if (view.byteLength >= this.#minRawBytes) {
      this.writeUint32(RAW_PART);
      this.writeUint32(this.rawParts.length);
      this.rawParts.push(bytes);
    } else {
      this.writeUint32(INLINE);
      this.writeUint32(view.byteLength);
      this.writeRawBytes(bytes);
    }
  }
}

class RecordDeserializer extends v8.Deserializer {
  readonly #rawParts: readonly ArrayBuffer[];

  constructor(payload: Uint8Array, rawParts: readonly ArrayBuffer[]) {
    super(payload);
    this.#rawParts = rawParts;
  }

  _readHostObject(): ArrayBufferView {
    const kind = viewKinds[this.readUint32()];
    const placement = this.readUint32();
    if (kind === undefined || (placement !== INLINE && placement !== RAW_PART)) {
      throw new Error('unknown typed array kind or placement in the payload');
    }
    let buffer: ArrayBuffer;
    if (placement === RAW_PART) {
      const part = this.#rawParts[this.readUint32()];
      if (part === undefined) throw new Error('the payload references a raw part the record does not list');
      buffer = part;
    } else {
      // readRawBytes views the payload; copy so the result owns a buffer of its own size and
      // does not keep the whole record alive (V8's default would hand back such a view).
      const bytes = this.readRawBytes(this.readUint32());
      buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    }
    return kind[1](buffer, 0, buffer.byteLength);
  }
}

/**
 * Serializes a value. Throws V8's own error (naming the value) for what structured clone
 * cannot carry.
 *
 * @example
 * const { payload, rawParts } = encodeValue({ weights: new Float64Array(1e6) });
 * rawParts.length; // 1: the 8 MB array, not copied into payload
 */
export function encodeValue(value: unknown, minRawBytes: number = RAW_PART_MIN_BYTES): EncodedValue {
  const serializer = new RecordSerializer(minRawBytes);
  serializer.writeHeader();
  let { large, bareShared } = findLargeArrayBuffers(value, minRawBytes);
  if (bareShared) {
    value = withSharedBuffersCopied(value);
    large = findLargeArrayBuffers(value, minRawBytes).large;
  }
  for (const buffer of large) serializer.addRawArrayBuffer(buffer);
  serializer.writeValue(value);
  return { payload: serializer.releaseBuffer(), rawParts: serializer.rawParts };
}

/**
 * Rebuilds a value from its payload and its raw parts (each a whole ArrayBuffer, which the
 * value's views and ArrayBuffers take over without copying).
 *
 * @example
 * const value = decodeValue(payload, rawParts.map((part) => part.slice().buffer));
 */
export function decodeValue(payload: Uint8Array, rawParts: readonly ArrayBuffer[]): unknown {
  const deserializer = new RecordDeserializer(payload, rawParts);
  deserializer.readHeader();
  // Parts that hold views are never referenced as transferred buffers; registering every part
  // keeps this loop free of the distinction.
  rawParts.forEach((part, index) => {
    deserializer.transferArrayBuffer(index, part);
  });
  return deserializer.readValue();
}

/** How deep {@link withSharedBuffersCopied} looks: as deep as a value may be to cross threads. */
const maxSharedBufferDepth = 1000;

/**
 * The value with each SharedArrayBuffer it holds (itself, not through a view: views are host
 * objects, written from their memory whatever it is) replaced by an ArrayBuffer copy. Node's V8
 * deserializer cannot rebuild a SharedArrayBuffer, so one is stored as the bytes it holds and
 * read back as an ArrayBuffer, as views on one are.
 */
function withSharedBuffersCopied(value: unknown): unknown {
  return replaceBinaryParts(value, maxSharedBufferDepth, (part) =>
    types.isSharedArrayBuffer(part) ? new Uint8Array(new Uint8Array(part)).buffer : part,
  );
}

/**
 * Finds the large plain ArrayBuffers V8 would otherwise inline, and whether the value holds a
 * SharedArrayBuffer itself (see {@link withSharedBuffersCopied}). V8 offers no hook for
 * ArrayBuffers (only for views), so they must be announced before serializing. This walk is an
 * optimisation only: a buffer it misses (say, in a non-index property of an array) is still
 * stored correctly, just inline.
 */
function findLargeArrayBuffers(
  value: unknown,
  minBytes: number,
): { readonly large: ArrayBuffer[]; readonly bareShared: boolean } {
  const found: ArrayBuffer[] = [];
  let bareShared = false;
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (types.isArrayBuffer(current)) {
      // A resizable buffer would come back fixed-size from a raw part; V8 inlines it faithfully.
      if (current.byteLength >= minBytes && !(current as { resizable?: boolean }).resizable)
        found.push(current);
    } else if (types.isSharedArrayBuffer(current)) {
      bareShared = true;
    } else if (ArrayBuffer.isView(current) || types.isDate(current) || types.isRegExp(current)) {
      // Views are host objects (their buffer is not serialized); dates and regexps hold none.
    } else if (Array.isArray(current)) {
      // Index loop: Object.keys on a long array of numbers would allocate a string per element.
      const elements = current as unknown[];
      for (let index = 0; index < elements.length; index++) {
        if (typeof elements[index] === 'object') pending.push(elements[index]);
      }
    } else if (types.isMap(current)) {
      for (const [key, entry] of current) pending.push(key, entry);
    } else if (types.isSet(current)) {
      for (const entry of current) pending.push(entry);
    } else {
      if (current instanceof Error) pending.push(current.cause);
      for (const key of Object.keys(current)) pending.push((current as Record<string, unknown>)[key]);
    }
  }
  return { large: found, bareShared };
}
