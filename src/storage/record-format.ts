/**
 * The byte layout of a stored record (format version 1), little-endian:
 *
 * | bytes      | content                                                           |
 * |------------|-------------------------------------------------------------------|
 * | 0..8       | magic `FFUSEREC`                                                  |
 * | 8..10      | format version (uint16)                                           |
 * | 10..12     | reserved, 0                                                       |
 * | 12..16     | byte length M of the metadata (uint32)                            |
 * | 16..16+M   | metadata, UTF-8 JSON: {@link RecordMeta}                          |
 * | next P     | payload: V8 serialization of the value ({@link RecordMeta.payloadLength}) |
 * | last 32    | SHA-256 over every byte before it, then every raw part in order   |
 *
 * Raw parts are files of bare bytes named after the record's key and write id. The checksum
 * covers them, so a record is valid only with the exact parts it was written with.
 *
 * SHA-256 rather than a CRC: with SHA extensions it runs at about 1.7 GB/s, overlapped with
 * the disk write it costs little, and it leaves no doubt when a multi-gigabyte part is checked.
 */
import type { CacheKey } from './cache-key.js';
import type { CorruptionReason } from './storage-errors.js';

/**
 * First bytes of every record: a file without them is not ours.
 *
 * @example
 * recordBytes.subarray(0, 8).equals(RECORD_MAGIC); // true for a record
 */
export const RECORD_MAGIC = Buffer.from('FFUSEREC', 'latin1');
/**
 * Bumped whenever the layout or the payload's encoding changes meaning.
 *
 * @example
 * recordBytes.readUInt16LE(8) === RECORD_FORMAT_VERSION;
 */
export const RECORD_FORMAT_VERSION = 1;
/**
 * Bytes of the fixed header: magic, version, reserved, metadata length.
 *
 * @example
 * const meta = recordBytes.subarray(FIXED_HEADER_LENGTH, FIXED_HEADER_LENGTH + metaLength);
 */
export const FIXED_HEADER_LENGTH = 16;
/**
 * The checksum algorithm of format version 1 (a `node:crypto` hash name).
 *
 * @example
 * const hash = createHash(CHECKSUM_ALGORITHM);
 */
export const CHECKSUM_ALGORITHM = 'sha256';
/**
 * Bytes of the checksum trailer.
 *
 * @example
 * const checksum = recordBytes.subarray(-CHECKSUM_LENGTH);
 */
export const CHECKSUM_LENGTH = 32;

/**
 * What a record says about itself, readable without the payload (to list hashed names and to
 * find raw parts).
 *
 * @example
 * const meta: RecordMeta = { workflowName: 'wf', nodeName: 'n', writeId: '0123456789abcdef', payloadLength: 9, rawPartLengths: [], writtenAt: Date.now() };
 */
export interface RecordMeta {
  /** The names as the user wrote them: keys of long names are hashed and cannot be decoded. */
  readonly workflowName: string;
  readonly nodeName: string;
  /** Unique per save; names the raw parts, so concurrent writers never share a part file. */
  readonly writeId: string;
  readonly payloadLength: number;
  readonly rawPartLengths: readonly number[];
  /**
   * The key the value was computed under (see cache-key.ts). Records written before keys have
   * none, and read as stale, never as valid. Not checked here: a malformed key is stale too.
   */
  readonly cacheKey?: CacheKey;
  /** When the record was made, epoch milliseconds; absent in records written before keys. */
  readonly writtenAt?: number;
}

/**
 * A record failed a structural check. Internal: the storage turns it into a
 * `CorruptStoredResultError` naming the workflow, the node and the file.
 *
 * @example
 * throw new RecordProblem('truncated', 'the record has 10 bytes, less than its header');
 */
export class RecordProblem extends Error {
  override name = 'RecordProblem';
  readonly reason: CorruptionReason;
  /** The raw part at fault, when it is not the record itself. */
  readonly filePath: string | undefined;

  constructor(
    reason: CorruptionReason,
    detail: string,
    options: { cause?: unknown; filePath?: string } = {},
  ) {
    super(detail, { cause: options.cause });
    this.reason = reason;
    this.filePath = options.filePath;
  }
}

const writeIdPattern = /^[0-9a-f]{16}$/;

/**
 * Header and metadata bytes of a record, to be followed by the payload and the checksum.
 *
 * @example
 * const head = encodeRecordHead({ workflowName: 'w', nodeName: 'n', writeId, payloadLength, rawPartLengths: [] });
 */
export function encodeRecordHead(meta: RecordMeta): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const head = Buffer.allocUnsafe(FIXED_HEADER_LENGTH + metaBytes.length);
  RECORD_MAGIC.copy(head, 0);
  head.writeUInt16LE(RECORD_FORMAT_VERSION, 8);
  head.writeUInt16LE(0, 10);
  head.writeUInt32LE(metaBytes.length, 12);
  metaBytes.copy(head, FIXED_HEADER_LENGTH);
  return head;
}

/**
 * Checks the fixed header and returns the metadata length. `bytes` may hold just the first
 * {@link FIXED_HEADER_LENGTH} bytes; `fileLength` is the whole record's size.
 *
 * @example
 * const metaLength = readFixedHeader(first16Bytes, stats.size);
 */
export function readFixedHeader(bytes: Uint8Array, fileLength: number): number {
  const header = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLength = Math.min(header.length, RECORD_MAGIC.length);
  if (!header.subarray(0, magicLength).equals(RECORD_MAGIC.subarray(0, magicLength))) {
    throw new RecordProblem('bad-header', 'the file does not start with the functionfuse record magic');
  }
  if (fileLength < FIXED_HEADER_LENGTH || header.length < FIXED_HEADER_LENGTH) {
    throw new RecordProblem('truncated', `the record has ${fileLength} bytes, less than its header`);
  }
  const version = header.readUInt16LE(8);
  if (version !== RECORD_FORMAT_VERSION) {
    throw new RecordProblem(
      'unsupported-version',
      `record format version ${version}; this functionfuse reads version ${RECORD_FORMAT_VERSION}`,
    );
  }
  const metaLength = header.readUInt32LE(12);
  if (FIXED_HEADER_LENGTH + metaLength > fileLength) {
    throw new RecordProblem(
      'truncated',
      `the record has ${fileLength} bytes, less than its ${metaLength}-byte metadata needs`,
    );
  }
  return metaLength;
}

/**
 * Parses and checks the metadata block.
 *
 * @example
 * const meta = parseRecordMeta(record.subarray(16, 16 + metaLength));
 */
export function parseRecordMeta(metaBytes: Uint8Array): RecordMeta {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(metaBytes.buffer, metaBytes.byteOffset, metaBytes.byteLength).toString());
  } catch (error) {
    throw new RecordProblem('bad-header', `the metadata is not JSON (${(error as Error).message})`);
  }
  const meta = parsed as Partial<Record<keyof RecordMeta, unknown>> | null;
  const isLength = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  if (
    meta === null ||
    typeof meta !== 'object' ||
    typeof meta.workflowName !== 'string' ||
    typeof meta.nodeName !== 'string' ||
    typeof meta.writeId !== 'string' ||
    !writeIdPattern.test(meta.writeId) ||
    !isLength(meta.payloadLength) ||
    !Array.isArray(meta.rawPartLengths) ||
    !meta.rawPartLengths.every(isLength)
  ) {
    throw new RecordProblem('bad-header', 'the metadata lacks a field or has one of the wrong type');
  }
  return meta as RecordMeta;
}

/**
 * A whole record split into its sections (views on the record's bytes, no copies).
 *
 * @example
 * const { meta, payload, checksum }: ParsedRecord = parseRecord(recordBytes);
 */
export interface ParsedRecord {
  readonly meta: RecordMeta;
  /** Everything the checksum covers within the record file. */
  readonly checkedBytes: Uint8Array;
  readonly payload: Uint8Array;
  readonly checksum: Uint8Array;
}

/**
 * Splits a whole record file and checks every length (the checksum is checked by the caller,
 * once the raw parts are read).
 *
 * @example
 * const { meta, payload } = parseRecord(await readFile(recordPath));
 */
export function parseRecord(record: Uint8Array): ParsedRecord {
  const metaLength = readFixedHeader(record, record.byteLength);
  const payloadStart = FIXED_HEADER_LENGTH + metaLength;
  const meta = parseRecordMeta(record.subarray(FIXED_HEADER_LENGTH, payloadStart));
  const payloadEnd = payloadStart + meta.payloadLength;
  const expectedLength = payloadEnd + CHECKSUM_LENGTH;
  if (record.byteLength < expectedLength) {
    throw new RecordProblem(
      'truncated',
      `the record has ${record.byteLength} bytes, its header says ${expectedLength}`,
    );
  }
  if (record.byteLength > expectedLength) {
    throw new RecordProblem(
      'length-mismatch',
      `the record has ${record.byteLength} bytes, its header says ${expectedLength}`,
    );
  }
  return {
    meta,
    checkedBytes: record.subarray(0, payloadEnd),
    payload: record.subarray(payloadStart, payloadEnd),
    checksum: record.subarray(payloadEnd),
  };
}
