/**
 * How values cross machines. Results and stored values travel as bytes in Redis keys of their
 * run, in the storage's own encoding (storage/value-codec.ts: a V8 structured-clone payload,
 * large typed arrays as raw parts that are copied once, never turned into JSON). Job payloads
 * and outcomes ride in BullMQ's JSON job data as base64 of a V8 payload, so a job's literal
 * arguments keep their types (Maps, typed arrays, Dates) on the way.
 *
 * A frame: `[u32 version][u32 payload bytes][u32 part count][u32 part bytes]…`, the payload, the parts.
 */
import v8 from 'node:v8';
import { decodeValue, encodeValue } from '../storage/value-codec.js';

const frameVersion = 1;
const headerWords = 3;

/** The most bytes Redis holds in one value (its `proto-max-bulk-len` default). */
export const REDIS_VALUE_MAX_BYTES = 512 * 1024 * 1024;

/** One value as a single buffer, ready for a Redis `SET`. */
export function packValue(value: unknown): Buffer {
  const { payload, rawParts } = encodeValue(value);
  const header = Buffer.allocUnsafe((headerWords + rawParts.length) * 4);
  header.writeUInt32LE(frameVersion, 0);
  header.writeUInt32LE(payload.byteLength, 4);
  header.writeUInt32LE(rawParts.length, 8);
  let total = header.byteLength + payload.byteLength;
  rawParts.forEach((part, position) => {
    header.writeUInt32LE(part.byteLength, (headerWords + position) * 4);
    total += part.byteLength;
  });
  return Buffer.concat([header, payload, ...rawParts], total);
}

/**
 * The value a frame holds. Each raw part becomes a fresh ArrayBuffer of its own, added to
 * `owned` when given: nothing else holds them, so they can be moved to a thread, not copied.
 */
export function unpackValue(frame: Buffer, owned?: ArrayBuffer[]): unknown {
  if (frame.byteLength < headerWords * 4 || frame.readUInt32LE(0) !== frameVersion) {
    throw new Error(`not a functionfuse value frame (${frame.byteLength} bytes)`);
  }
  const payloadBytes = frame.readUInt32LE(4);
  const partCount = frame.readUInt32LE(8);
  let offset = (headerWords + partCount) * 4;
  const payload = frame.subarray(offset, offset + payloadBytes);
  offset += payloadBytes;
  const parts: ArrayBuffer[] = [];
  for (let position = 0; position < partCount; position++) {
    const length = frame.readUInt32LE((headerWords + position) * 4);
    const part = new ArrayBuffer(length);
    new Uint8Array(part).set(frame.subarray(offset, offset + length));
    parts.push(part);
    owned?.push(part);
    offset += length;
  }
  return decodeValue(payload, parts);
}

/** Plain data (job payloads, outcomes) as text for BullMQ's JSON job data. */
export function toBase64(data: unknown): string {
  return v8.serialize(data).toString('base64');
}

export function fromBase64<T>(text: string): T {
  return v8.deserialize(Buffer.from(text, 'base64')) as T;
}
