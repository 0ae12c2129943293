/**
 * How values cross machines. Results and stored values travel as bytes in Redis keys of their
 * run, in the storage's own encoding (storage/value-codec.ts: a V8 structured-clone payload,
 * large typed arrays as raw parts, never turned into JSON). Job payloads and outcomes ride in
 * BullMQ's JSON job data as base64 of a V8 payload, so a job's literal arguments keep their
 * types (Maps, typed arrays, Dates) on the way.
 *
 * A result is Redis strings: its head (`[u32 version][u32 part count]` and the V8 payload) under
 * the result's key, and each raw part under a key of its own (run-keys.ts, resultPartKey). Why
 * strings and not one hash: Redis keeps a large SET argument as the value itself, while HSET
 * copies it (10 MB: 14 µs against 24 ms of the server's time, measured here). A part is taken
 * from the value's own memory and written to the socket from there (redis-sends.ts).
 */
import v8 from 'node:v8';
import { decodeValue, encodeValue } from '../storage/value-codec.js';

const frameVersion = 3;
const headerBytes = 8;

/** The most bytes Redis holds in one value (its `proto-max-bulk-len` default). */
export const REDIS_VALUE_MAX_BYTES = 512 * 1024 * 1024;

/** A value ready to write: its head and raw parts, and its size. */
export interface PackedValue {
  /** `[u32 version][u32 part count]` and the V8 payload. */
  readonly head: Buffer;
  /** Views on the value's own memory, in part order. */
  readonly parts: readonly Buffer[];
  readonly bytes: number;
  /** The largest of head and parts, in bytes: Redis refuses one above {@link REDIS_VALUE_MAX_BYTES}. */
  readonly largestField: number;
}

/** A result as read from Redis: its head and its parts' bytes. */
export interface StoredValue {
  readonly head: Buffer;
  readonly parts: readonly Buffer[];
}

/**
 * Splits `value` for writing.
 *
 * @example
 * packValue(new Float64Array(1 << 20)).parts.length; // 1: the array's 8 MB, not copied
 */
export function packValue(value: unknown): PackedValue {
  const { payload, rawParts } = encodeValue(value);
  const head = Buffer.allocUnsafe(headerBytes + payload.byteLength);
  head.writeUInt32LE(frameVersion, 0);
  head.writeUInt32LE(rawParts.length, 4);
  payload.copy(head, headerBytes);
  let bytes = head.byteLength;
  let largestField = head.byteLength;
  const parts = rawParts.map((part) => {
    bytes += part.byteLength;
    largestField = Math.max(largestField, part.byteLength);
    return Buffer.from(part.buffer, part.byteOffset, part.byteLength);
  });
  return { head, parts, bytes, largestField };
}

/**
 * How many raw parts the head says its value has.
 *
 * @example
 * partCount(packValue(new Float64Array(1 << 20)).head); // 1
 */
export function partCount(head: Buffer): number {
  if (head.byteLength < headerBytes || head.readUInt32LE(0) !== frameVersion) {
    throw new Error(`not a functionfuse value (${head.byteLength} bytes)`);
  }
  return head.readUInt32LE(4);
}

/** Reply buffers already handed out as a value's memory. */
const taken = new WeakSet<ArrayBufferLike>();

/**
 * The value `stored` holds. A part that is a buffer of its own becomes the typed array's memory
 * as it is, and is added to `owned` when given: nothing else holds it, so it can be moved to a
 * thread. ioredis hands large replies as slices of a pool it shares, so those are copied once
 * into memory of their own.
 *
 * @example
 * const packed = packValue(new Map([['a', 1]]));
 * unpackValue({ head: packed.head, parts: packed.parts }); // Map { 'a' => 1 }
 */
export function unpackValue(stored: StoredValue, owned?: ArrayBuffer[]): unknown {
  const count = partCount(stored.head);
  const parts: ArrayBuffer[] = [];
  for (let position = 0; position < count; position++) {
    const bytes = stored.parts[position];
    if (bytes === undefined) throw new Error(`a functionfuse value lacks its part ${position}`);
    let part: ArrayBuffer;
    const whole =
      bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength &&
      bytes.buffer instanceof ArrayBuffer;
    if (whole && !taken.has(bytes.buffer)) {
      // Decoded once without a copy; a second decode of the same reply (two consumers in one
      // batch) copies, so no two values share memory.
      taken.add(bytes.buffer);
      part = bytes.buffer;
    } else {
      // Memory of its own, not zeroed first: every byte is written at once.
      const copy = Buffer.allocUnsafeSlow(bytes.byteLength);
      bytes.copy(copy);
      part = copy.buffer as ArrayBuffer;
    }
    parts.push(part);
    owned?.push(part);
  }
  return decodeValue(stored.head.subarray(headerBytes), parts);
}

/** Plain data (job payloads, outcomes) as text for BullMQ's JSON job data. */
export function toBase64(data: unknown): string {
  return v8.serialize(data).toString('base64');
}

export function fromBase64<T>(text: string): T {
  return v8.deserialize(Buffer.from(text, 'base64')) as T;
}
