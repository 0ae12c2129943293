/**
 * Reading a record file from the store: only a regular file is opened (see regular-file.ts),
 * its header is checked against its size before the rest is read, and anything the file system
 * refuses becomes a {@link RecordProblem}, so a damaged store reads as a corrupt record (the
 * node runs again) rather than failing every run.
 */
import { constants as bufferConstants } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { hasErrorCode } from './file-io.js';
import {
  CHECKSUM_LENGTH,
  FIXED_HEADER_LENGTH,
  parseRecordMeta,
  type RecordMeta,
  RecordProblem,
  readFixedHeader,
} from './record-format.js';
import { NotARegularFile, openRegularFile } from './regular-file.js';

/**
 * Bytes read at once from the start of a record: a page, which holds the header and metadata
 * unless names are long, and all of a small record.
 */
const HEAD_READ_BYTES = 4096;

/**
 * The whole record file at `recordPath`, or `undefined` when there is none (nor a folder that
 * could hold it). Its length is checked against its header before more than one page is read:
 * a damaged file (a sparse one of several gigabytes, say) is refused without reading it.
 *
 * @example
 * const bytes = await readRecordFile('/store/demo/train.ffr');
 */
export async function readRecordFile(recordPath: string): Promise<Buffer | undefined> {
  let opened: { file: FileHandle; size: number };
  try {
    opened = await openRegularFile(recordPath);
  } catch (error) {
    // ENOTDIR: the workflow's folder is a file, so nothing can be stored in it.
    if (hasErrorCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw unreadableProblem(error, 'the record', recordPath);
  }
  const { file, size } = opened;
  try {
    const head = await readHead(file, size);
    if (head.bytes.length === size) return head.bytes;
    const expected = head.metaEnd + head.meta.payloadLength + CHECKSUM_LENGTH;
    if (size !== expected) {
      throw new RecordProblem(
        size < expected ? 'truncated' : 'length-mismatch',
        `the record has ${size} bytes, its header says ${expected}`,
      );
    }
    if (size > bufferConstants.MAX_LENGTH) {
      throw new RecordProblem(
        'too-large',
        `the record has ${size} bytes, more than a buffer of this Node holds (${bufferConstants.MAX_LENGTH})`,
      );
    }
    const whole = Buffer.allocUnsafe(size);
    head.bytes.copy(whole);
    const bytesRead = head.bytes.length + (await readFully(file, whole, head.bytes.length));
    if (bytesRead !== size) {
      throw new RecordProblem('truncated', `the record ended after ${bytesRead} of ${size} bytes`);
    }
    return whole;
  } catch (error) {
    throw unreadableProblem(error, 'the record', recordPath);
  } finally {
    await file.close().catch(() => {});
  }
}

/**
 * A record's metadata, read without its payload; `undefined` if there is no readable record.
 * Used where a damaged record must not stop the work (listing, cleaning up).
 *
 * @example
 * const meta = await readRecordMeta('/store/demo/train.ffr');
 */
export async function readRecordMeta(recordPath: string): Promise<RecordMeta | undefined> {
  let file: FileHandle | undefined;
  try {
    const opened = await openRegularFile(recordPath);
    file = opened.file;
    return (await readHead(file, opened.size)).meta;
  } catch {
    return undefined;
  } finally {
    await file?.close().catch(() => {});
  }
}

/**
 * The first page of a record (all of it when smaller), with its checked header and metadata.
 * One read usually covers them; saves call this for every node they write.
 */
async function readHead(
  file: FileHandle,
  size: number,
): Promise<{ bytes: Buffer; meta: RecordMeta; metaEnd: number }> {
  let bytes = Buffer.allocUnsafe(Math.min(size, HEAD_READ_BYTES));
  const bytesRead = await readFully(file, bytes, 0);
  // The file shrank since fstat (it was damaged in place): check what is there.
  if (bytesRead < bytes.length) bytes = bytes.subarray(0, bytesRead);
  const metaLength = readFixedHeader(bytes, bytes.length < HEAD_READ_BYTES ? bytes.length : size);
  const metaEnd = FIXED_HEADER_LENGTH + metaLength;
  if (metaEnd <= bytes.length)
    return { bytes, meta: parseRecordMeta(bytes.subarray(FIXED_HEADER_LENGTH, metaEnd)), metaEnd };
  const metaBytes = Buffer.allocUnsafe(metaLength);
  const metaRead = await readFully(file, metaBytes, 0, FIXED_HEADER_LENGTH);
  if (metaRead !== metaLength) {
    throw new RecordProblem('truncated', `the record ended inside its ${metaLength}-byte metadata`);
  }
  return { bytes, meta: parseRecordMeta(metaBytes), metaEnd };
}

/**
 * Reads into `buffer` from `offset` to its end, from file position `position` (default: the
 * same as `offset`), until the buffer is full or the file ends; returns the bytes read.
 */
async function readFully(
  file: FileHandle,
  buffer: Buffer,
  offset: number,
  position = offset,
): Promise<number> {
  let total = 0;
  while (offset + total < buffer.length) {
    const { bytesRead } = await file.read(
      buffer,
      offset + total,
      buffer.length - offset - total,
      position + total,
    );
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return total;
}

/**
 * `error`, met while reading `what` at `path`, as the {@link RecordProblem} it amounts to: what
 * is not a file, or what the file system will not read, counts as a corrupt record (the node
 * runs again, and its save replaces the file). A RecordProblem already, or a bug, is returned
 * as it is.
 *
 * @example
 * throw unreadableProblem(error, 'raw part 0', partPath);
 */
export function unreadableProblem(error: unknown, what: string, path: string): unknown {
  if (error instanceof RecordProblem) return error;
  if (error instanceof NotARegularFile) {
    return new RecordProblem('not-a-file', `${what} is ${error.kind}, not a file`, { filePath: path });
  }
  if (isTooLarge(error)) {
    // A buffer larger than this Node allows, or than this process can allocate.
    return new RecordProblem('too-large', `${what} is too large to read (${error.message})`, {
      cause: error,
      filePath: path,
    });
  }
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  if (!(error instanceof Error) || typeof code !== 'string' || typeof syscall !== 'string') return error;
  const description = /^[A-Z0-9_]+: ([^,]+)/.exec((error as Error).message)?.[1];
  return new RecordProblem(
    'unreadable',
    `${what} cannot be read (${code}${description === undefined ? '' : `: ${description}`})`,
    { cause: error, filePath: path },
  );
}

function isTooLarge(error: unknown): error is RangeError {
  if (!(error instanceof RangeError)) return false;
  const { code } = error as NodeJS.ErrnoException;
  return (
    code === 'ERR_FS_FILE_TOO_LARGE' ||
    code === 'ERR_BUFFER_TOO_LARGE' ||
    /allocation failed|Invalid array buffer length/.test(error.message)
  );
}
