/**
 * Reads a record and its raw parts, checks everything, and rebuilds the value. Any failed
 * check throws a {@link RecordProblem}; the caller names the workflow and node.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { type CacheKey, type StaleReason, staleReasons } from './cache-key.js';
import { hasErrorCode, readIntoNewArrayBuffer } from './file-io.js';
import { readRecordFile, unreadableProblem } from './record-file.js';
import { CHECKSUM_ALGORITHM, parseRecord, type RecordMeta, RecordProblem } from './record-format.js';
import { openRegularFile } from './regular-file.js';
import { rawPartFileName } from './storage-layout.js';
import { decodeValue } from './value-codec.js';

/**
 * Returned instead of a value when no record exists.
 *
 * @example
 * if ((await readStoredValue(location)) === NO_RECORD) compute();
 */
export const NO_RECORD: unique symbol = Symbol('no record');

/**
 * How often a read starts over because a concurrent save replaced the record (and deleted the
 * raw parts it had just listed). Each retry reads a newer record, so this only runs out if the
 * node is rewritten faster than it can be read, 100 times in a row.
 */
const MAX_READ_ATTEMPTS = 100;

/**
 * Parts opened before any is read. An open part stays readable after a concurrent save
 * deletes it (on POSIX; Windows defers the deletion), which shrinks the window in which a read
 * must start over to the time it takes to open them. Beyond this many, the rest are opened as
 * they are read, to stay far from the process's file-descriptor limit.
 */
const PARTS_OPENED_AHEAD = 64;

/**
 * What to read and what the record must say about itself.
 *
 * @example
 * const location: RecordLocation = { recordPath, rawPartDirectory, nodeKey: 'n', workflowName: 'wf', nodeName: 'n' };
 */
export interface RecordLocation {
  readonly recordPath: string;
  readonly rawPartDirectory: string;
  readonly nodeKey: string;
  readonly workflowName: string;
  readonly nodeName: string;
  /** The node's key now: a record under another key is stale (checked before its raw parts are read). */
  readonly cacheKey?: CacheKey;
}

/**
 * The record was computed under another key. Internal: the storage turns it into a
 * `StaleStoredResultError` naming the workflow and node.
 *
 * @example
 * throw new RecordStale(['code-changed'], meta.cacheKey);
 */
export class RecordStale extends Error {
  override name = 'RecordStale';

  constructor(
    readonly reasons: readonly StaleReason[],
    readonly storedKey: unknown,
  ) {
    super(`the record is stale (${reasons.join(', ')})`);
  }
}

/**
 * The stored value, or {@link NO_RECORD} when there is none.
 *
 * @example
 * const value = await readStoredValue(location);
 * if (value === NO_RECORD) compute();
 */
export async function readStoredValue(location: RecordLocation): Promise<unknown> {
  let previousWriteId: string | undefined;
  for (let attempt = 1; ; attempt++) {
    const record = await readRecordFile(location.recordPath);
    if (record === undefined) return NO_RECORD;
    const parsed = parseRecord(record);
    const { meta } = parsed;
    if (meta.workflowName !== location.workflowName || meta.nodeName !== location.nodeName) {
      throw new RecordProblem(
        'name-mismatch',
        `the record belongs to node ${JSON.stringify(meta.nodeName)} of workflow ${JSON.stringify(meta.workflowName)}`,
      );
    }
    if (location.cacheKey !== undefined) {
      const reasons = staleReasons(meta.cacheKey, location.cacheKey);
      if (reasons.length > 0) throw new RecordStale(reasons, meta.cacheKey);
    }
    const partPaths = meta.rawPartLengths.map((_, index) =>
      join(location.rawPartDirectory, rawPartFileName(location.nodeKey, meta.writeId, index)),
    );
    try {
      const rawParts = await readRawParts(
        partPaths,
        meta,
        createHash(CHECKSUM_ALGORITHM).update(parsed.checkedBytes),
        parsed.checksum,
      );
      try {
        return decodeValue(parsed.payload, rawParts);
      } catch (error) {
        throw new RecordProblem(
          'undecodable',
          `the payload cannot be deserialized (${(error as Error).message})`,
          {
            cause: error,
          },
        );
      }
    } catch (error) {
      if (!(error instanceof PartMissing)) throw error;
      // The record we read was replaced after we read it (its parts are gone with it): read the
      // new one. The same record twice means the part is really missing.
      if (meta.writeId === previousWriteId || attempt >= MAX_READ_ATTEMPTS) {
        throw new RecordProblem('missing-raw-part', `raw part ${error.index} is not on disk`, {
          filePath: error.path,
        });
      }
      previousWriteId = meta.writeId;
    }
  }
}

class PartMissing extends Error {
  constructor(
    readonly path: string,
    readonly index: number,
  ) {
    super(`raw part ${index} missing`);
  }
}

/** Opens raw part `index` (a regular file only) with its size. */
async function openPart(path: string, index: number): Promise<{ file: FileHandle; size: number }> {
  try {
    return await openRegularFile(path);
  } catch (error) {
    // ENOTDIR: `bigdata` is a file, so the part cannot be in it.
    if (hasErrorCode(error, 'ENOENT', 'ENOTDIR')) throw new PartMissing(path, index);
    throw unreadableProblem(error, `raw part ${index}`, path);
  }
}

async function readRawParts(
  partPaths: readonly string[],
  meta: RecordMeta,
  hash: ReturnType<typeof createHash>,
  storedChecksum: Uint8Array,
): Promise<ArrayBuffer[]> {
  const files: ({ file: FileHandle; size: number } | undefined)[] = [];
  try {
    for (const [index, path] of partPaths.slice(0, PARTS_OPENED_AHEAD).entries())
      files.push(await openPart(path, index));
    const rawParts: ArrayBuffer[] = [];
    for (const [index, path] of partPaths.entries()) {
      if (files[index] === undefined) files[index] = await openPart(path, index);
      const { file, size } = files[index] as { file: FileHandle; size: number };
      const expected = meta.rawPartLengths[index] as number;
      if (size !== expected) {
        const reason = size < expected ? 'truncated' : 'length-mismatch';
        throw new RecordProblem(reason, `raw part ${index} has ${size} bytes, the record says ${expected}`, {
          filePath: path,
        });
      }
      let read: { buffer: ArrayBuffer; bytesRead: number };
      try {
        read = await readIntoNewArrayBuffer(file, expected, hash);
      } catch (error) {
        throw unreadableProblem(error, `raw part ${index}`, path);
      }
      if (read.bytesRead !== expected) {
        throw new RecordProblem(
          'truncated',
          `raw part ${index} ended after ${read.bytesRead} of ${expected} bytes`,
          {
            filePath: path,
          },
        );
      }
      rawParts.push(read.buffer);
    }
    if (!hash.digest().equals(storedChecksum)) {
      const scope =
        partPaths.length === 0 ? 'the record' : `the record and its ${partPaths.length} raw part(s)`;
      throw new RecordProblem('checksum-mismatch', `the checksum over ${scope} does not match`);
    }
    return rawParts;
  } finally {
    await Promise.all(files.map((opened) => opened?.file.close()));
  }
}
