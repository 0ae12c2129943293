/**
 * A record's content before it is written: the value encoded, its header made, and (once
 * sealed) its checksum computed. Making and sealing a record is pure CPU work, writing it is
 * pure I/O, and the two can happen on different threads: on ThreadWorkflow the worker that
 * computed a result seals it, and the main thread writes it while the worker goes on to its
 * next node (see {@link Storage.saveSealed}).
 */
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { inspectValue } from '../util/inspect-value.js';
import type { CacheKey } from './cache-key.js';
import { CHECKSUM_ALGORITHM, encodeRecordHead, type RecordMeta } from './record-format.js';
import { UnstorableResultError } from './storage-errors.js';
import { encodeValue } from './value-codec.js';

/**
 * Everything a record holds except its checksum.
 *
 * @example
 * const content: RecordContent = composeRecord('demo', 'train', model);
 */
export interface RecordContent {
  readonly meta: RecordMeta;
  /** Fixed header and metadata: the record's first bytes. */
  readonly head: Uint8Array;
  /** V8 serialization of the value, raw parts replaced by their index. */
  readonly payload: Uint8Array;
  /** Views on the value's own memory (not copies), written beside the record. */
  readonly rawParts: readonly Uint8Array[];
}

/**
 * A record ready to write: its content and the checksum over it. Plain data that crosses
 * threads; its raw parts still view the value's memory, so the value must not change until
 * the record is written.
 *
 * @example
 * const sealed: SealedRecord = sealRecord(composeRecord('demo', 'train', model));
 */
export interface SealedRecord extends RecordContent {
  readonly checksum: Uint8Array;
}

/**
 * Refuses, with an {@link UnstorableResultError}, a value that a record would give back
 * changed: a class instance, which structured cloning copies as a plain object (read back, the
 * result would have lost its methods, and a rerun from storage would fail in the node that calls
 * one, far from the cause), a function or a symbol. FileStorage.save() calls it; a worker's save
 * step does not need to, since the worker has checked the result the same way before it.
 *
 * @example
 * refuseChangedOnRead('demo', 'fit', { model: new Model() }); // throws UnstorableResultError
 */
export function refuseChangedOnRead(workflowName: string, nodeName: string, value: unknown): void {
  const { problem } = inspectValue(value, false);
  if (problem?.kind !== 'uncloneable') return;
  const what =
    problem.instanceOf === undefined
      ? problem.description
      : `an instance of ${problem.instanceOf}, which would be read back as a plain object without its methods`;
  throw new UnstorableResultError(workflowName, nodeName, new TypeError(`result${problem.path} is ${what}`));
}

/**
 * Encodes `value` as the next record of a node, under a fresh write id. Throws
 * {@link UnstorableResultError} for what structured clone cannot copy (see
 * {@link refuseChangedOnRead} for what it copies changed).
 *
 * @example
 * const content = composeRecord('demo', 'sum_0000', { total: 3n });
 */
export function composeRecord(
  workflowName: string,
  nodeName: string,
  value: unknown,
  cacheKey?: CacheKey,
): RecordContent {
  let encoded: ReturnType<typeof encodeValue>;
  try {
    encoded = encodeValue(value);
  } catch (error) {
    throw new UnstorableResultError(workflowName, nodeName, error);
  }
  const meta: RecordMeta = {
    workflowName,
    nodeName,
    // Unique per save: raw parts and temporary files carry it, so concurrent writers of one
    // node never touch each other's files.
    writeId: randomBytes(8).toString('hex'),
    payloadLength: encoded.payload.length,
    rawPartLengths: encoded.rawParts.map((part) => part.byteLength),
    ...(cacheKey === undefined ? {} : { cacheKey }),
    writtenAt: Date.now(),
  };
  return { meta, head: encodeRecordHead(meta), payload: encoded.payload, rawParts: encoded.rawParts };
}

/**
 * A checksum over a record's content in the order the format defines (head, payload, raw
 * parts), fed so far; the raw parts may be added later, while they are written.
 *
 * @example
 * const hash = startChecksum(content);
 * for (const part of content.rawParts) hash.update(part);
 */
export function startChecksum(content: RecordContent): Hash {
  return createHash(CHECKSUM_ALGORITHM).update(content.head).update(content.payload);
}

/**
 * Computes the checksum of a record's content, at once.
 *
 * @example
 * const sealed = sealRecord(composeRecord('demo', 'train', model));
 */
export function sealRecord(content: RecordContent): SealedRecord {
  const hash = startChecksum(content);
  for (const part of content.rawParts) hash.update(part);
  return { ...content, checksum: hash.digest() };
}

/** Whether `value` has a sealed record's shape (it came back from a worker's save step). */
export function isSealedRecord(value: unknown): value is SealedRecord {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Partial<Record<keyof SealedRecord, unknown>>;
  const meta = record.meta as Partial<RecordMeta> | undefined;
  return (
    typeof meta?.workflowName === 'string' &&
    typeof meta.nodeName === 'string' &&
    record.head instanceof Uint8Array &&
    record.payload instanceof Uint8Array &&
    record.checksum instanceof Uint8Array &&
    Array.isArray(record.rawParts) &&
    record.rawParts.every((part) => part instanceof Uint8Array)
  );
}
