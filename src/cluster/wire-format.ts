/**
 * How values cross machines. Results and stored values travel as bytes in Redis keys of their
 * run, in the storage's own encoding (storage/value-codec.ts: a V8 structured-clone payload,
 * large typed arrays as raw parts that are copied once, never turned into JSON). Job payloads
 * and outcomes ride in BullMQ's JSON job data as base64 of a V8 payload, so a job's literal
 * arguments keep their types (Maps, typed arrays, Dates) on the way.
 *
 * A result is a Redis hash: field `h` holds `[u32 version][u32 part count]` and the V8 payload;
 * fields `p0`, `p1`… hold the raw parts, each written from the value's own memory and read back
 * as a buffer of its own, which becomes the typed array's memory: no copy on either side.
 */
import v8 from 'node:v8';
import { decodeValue, encodeValue } from '../storage/value-codec.js';

const frameVersion = 2;
const headerBytes = 8;

/** The most bytes Redis holds in one value (its `proto-max-bulk-len` default). */
export const REDIS_VALUE_MAX_BYTES = 512 * 1024 * 1024;

/** A value ready for `HSET`: its fields, and its size. */
export interface PackedValue {
  /** Field name, then value, as HSET takes them. */
  readonly fields: readonly (string | Buffer)[];
  readonly bytes: number;
  /** The largest field, in bytes: Redis refuses one above {@link REDIS_VALUE_MAX_BYTES}. */
  readonly largestField: number;
}

export function packValue(value: unknown): PackedValue {
  const { payload, rawParts } = encodeValue(value);
  const head = Buffer.allocUnsafe(headerBytes + payload.byteLength);
  head.writeUInt32LE(frameVersion, 0);
  head.writeUInt32LE(rawParts.length, 4);
  payload.copy(head, headerBytes);
  const fields: (string | Buffer)[] = ['h', head];
  let bytes = head.byteLength;
  let largestField = head.byteLength;
  rawParts.forEach((part, position) => {
    fields.push(`p${position}`, Buffer.from(part.buffer, part.byteOffset, part.byteLength));
    bytes += part.byteLength;
    largestField = Math.max(largestField, part.byteLength);
  });
  return { fields, bytes, largestField };
}

/**
 * The value a result's fields hold (from `HGETALL`), or undefined when there are none (no such
 * key). A raw part that is a buffer of its own is used as it is, and added to `owned` when given:
 * nothing else holds it, so it can be moved to a thread.
 */
/** Reply buffers already handed out as a value's memory. */
const taken = new WeakSet<ArrayBufferLike>();

export function unpackValue(fields: Readonly<Record<string, Buffer>>, owned?: ArrayBuffer[]): unknown {
  const head = fields.h;
  if (head === undefined) return undefined;
  if (head.byteLength < headerBytes || head.readUInt32LE(0) !== frameVersion) {
    throw new Error(`not a functionfuse value (${head.byteLength} bytes)`);
  }
  const partCount = head.readUInt32LE(4);
  const parts: ArrayBuffer[] = [];
  for (let position = 0; position < partCount; position++) {
    const bytes = fields[`p${position}`];
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
      part = new ArrayBuffer(bytes.byteLength);
      new Uint8Array(part).set(bytes);
    }
    parts.push(part);
    owned?.push(part);
  }
  return decodeValue(head.subarray(headerBytes), parts);
}

/** Plain data (job payloads, outcomes) as text for BullMQ's JSON job data. */
export function toBase64(data: unknown): string {
  return v8.serialize(data).toString('base64');
}

export function fromBase64<T>(text: string): T {
  return v8.deserialize(Buffer.from(text, 'base64')) as T;
}
