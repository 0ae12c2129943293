/**
 * The few file operations storage is built from: a new file written in one go (and flushed,
 * when durable), made visible by an atomic rename; a directory fsync; a read straight into a
 * fresh ArrayBuffer. Checksums are computed while the disk works: the hash runs in the main
 * thread as libuv's thread pool moves the bytes, so a big write costs about max(hash, write)
 * rather than their sum.
 */
import type { Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open, rename, rmdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileInTheWay, makeDirectory } from './make-directory.js';
import { asStorageAccessError } from './storage-access-error.js';

/**
 * Size of each write call. Pieces let a background flush start on the first bytes while later
 * ones are still being copied (see FlushAhead), and keep every call below Node's 2 GiB limit.
 */
const WRITE_PIECE_BYTES = 16 * 2 ** 20;
/**
 * Read size when checksumming: small enough that hashing one chunk overlaps with reading the
 * next, large enough that the per-call cost vanishes.
 */
const READ_CHUNK_BYTES = 8 * 2 ** 20;

/**
 * Whether an error is a Node system error with one of these codes.
 *
 * @example
 * if (hasErrorCode(error, 'ENOENT')) return undefined;
 */
export function hasErrorCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

/**
 * Where a write goes and under which name it waits until complete.
 *
 * @example
 * const target: AtomicWriteTarget = { finalPath: '/store/wf/n.ffr', tempPath: '/store/wf/.n.ffr.0123456789abcdef.tmp' };
 */
export interface AtomicWriteTarget {
  /** The name readers see, replaced in one step by `rename`. */
  readonly finalPath: string;
  /** A name unique to this write, in the same directory (rename is only atomic within one). */
  readonly tempPath: string;
}

/**
 * Creates `path` (which must not exist yet), writes `chunks` to it, and flushes them to disk
 * when `durable`. When `hash` is given, every byte is fed to it (in order) while the write is
 * in flight. A missing directory is created. On failure the file is removed, and the system's
 * error is thrown as a `StorageAccessError` naming the path. Nobody reads the file until it is
 * named by a record or renamed by {@link commitTempFile}.
 *
 * @example
 * await writeNewFile('.a.1234.tmp', [bytes], { durable: true });
 */
export async function writeNewFile(
  path: string,
  chunks: readonly Uint8Array[],
  options: { readonly durable: boolean; readonly hash?: Hash },
): Promise<void> {
  let file: FileHandle;
  try {
    file = await openExclusive(path);
  } catch (error) {
    // A file where a folder of the path belongs: name that file, not the one being written.
    throw hasErrorCode(error, 'ENOTDIR')
      ? await fileInTheWay(path, error)
      : asStorageAccessError(error, 'write', path);
  }
  const flush = options.durable ? new FlushAhead(file) : undefined;
  try {
    let position = 0;
    for (const chunk of chunks) position = await writeAll(file, chunk, position, options.hash, flush);
    await flush?.finish();
  } catch (error) {
    await flush?.settled();
    await file.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw asStorageAccessError(error, 'write', path);
  }
  try {
    await file.close();
  } catch (error) {
    throw asStorageAccessError(error, 'write', path);
  }
}

/**
 * Makes a complete temporary file (see {@link writeNewFile}) visible: renames it over the
 * final one, in one step, so readers see the old file or the whole new one, never a part;
 * removes it if that fails, and throws a `StorageAccessError` naming the final path. An empty
 * folder in the final file's place (damage: nothing is lost with it) is removed first; a folder
 * with anything in it is left alone and reported (`EISDIR`).
 *
 * @example
 * await commitTempFile({ finalPath: 'a.ffr', tempPath: '.a.1234.tmp' });
 */
export async function commitTempFile(target: AtomicWriteTarget): Promise<void> {
  try {
    try {
      await renameReplacing(target.tempPath, target.finalPath);
    } catch (error) {
      if (
        !hasErrorCode(error, 'EISDIR') ||
        !(await rmdir(target.finalPath).then(
          () => true,
          () => false,
        ))
      )
        throw error;
      await renameReplacing(target.tempPath, target.finalPath);
    }
  } catch (error) {
    await unlink(target.tempPath).catch(() => {});
    throw asStorageAccessError(error, 'rename', target.finalPath);
  }
}

/**
 * Flushes a file to disk while it is still being written: after each piece, a `datasync` is
 * started in the background (one at a time), so the disk works on the first pieces while the
 * next are copied, and the last flush only has the tail left. On a 100 MB write this saves a
 * good part of the flush time.
 */
class FlushAhead {
  readonly #file: FileHandle;
  #inFlight: Promise<void> | undefined;
  #error: unknown;

  constructor(file: FileHandle) {
    this.#file = file;
  }

  /** Starts a background flush of what is written so far, unless one is running. */
  start(): void {
    if (this.#inFlight !== undefined) return;
    this.#inFlight = this.#file.datasync().then(
      () => {
        this.#inFlight = undefined;
      },
      (error: unknown) => {
        this.#inFlight = undefined;
        this.#error ??= error;
      },
    );
  }

  /** Waits for the running flush, if any, without throwing. */
  async settled(): Promise<void> {
    await this.#inFlight;
  }

  /** Flushes everything written; throws the first flush error. */
  async finish(): Promise<void> {
    await this.#inFlight;
    if (this.#error !== undefined) throw this.#error;
    await this.#file.datasync();
  }
}

async function openExclusive(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'wx');
  } catch (error) {
    // The folder may have been removed since we created it (removeWorkflow, another process).
    if (!hasErrorCode(error, 'ENOENT')) throw error;
    await makeDirectory(dirname(path));
    return await open(path, 'wx');
  }
}

/**
 * Writes all of `bytes` at `position`, in pieces of {@link WRITE_PIECE_BYTES} (looping over short
 * writes); returns the end position.
 */
async function writeAll(
  file: FileHandle,
  bytes: Uint8Array,
  position: number,
  hash: Hash | undefined,
  flush: FlushAhead | undefined,
): Promise<number> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const length = Math.min(bytes.byteLength - offset, WRITE_PIECE_BYTES);
    const written = file.write(bytes, offset, length, position + offset);
    // Hash the same bytes while the thread pool writes them: both only read the memory.
    hash?.update(bytes.subarray(offset, offset + length));
    let { bytesWritten } = await written;
    // A short write is rare on regular files; finish it before moving on.
    while (bytesWritten < length) {
      const rest = await file.write(
        bytes,
        offset + bytesWritten,
        length - bytesWritten,
        position + offset + bytesWritten,
      );
      bytesWritten += rest.bytesWritten;
    }
    offset += length;
    if (offset < bytes.byteLength) flush?.start();
  }
  return position + offset;
}

/**
 * `rename` over an existing file. Windows refuses it briefly while another process has the
 * target open (an antivirus, a concurrent reader), so retry there for up to about a second.
 */
async function renameReplacing(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const transient = process.platform === 'win32' && hasErrorCode(error, 'EPERM', 'EACCES', 'EBUSY');
      if (!transient || attempt >= 10) throw error;
      await sleep(10 * 2 ** Math.min(attempt, 6));
    }
  }
}

/**
 * Flushes a directory's entries, so a rename into it survives a power loss. Windows cannot open
 * a directory for this (and NTFS journals renames), so it is skipped there.
 *
 * @example
 * await syncDirectory('./store/demo');
 */
export async function syncDirectory(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    // O_DIRECTORY: whatever else stands there (a FIFO would block) is refused at once.
    const directory = await open(path, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  } catch (error) {
    throw asStorageAccessError(error, 'sync', path);
  }
}

/**
 * Reads `byteLength` bytes from the start of `file` into a new ArrayBuffer of exactly that
 * size, feeding them to `hash` as they arrive. The buffer is then handed to the value as is, so
 * the bytes are never copied after the read (and a new ArrayBuffer is aligned for every typed
 * array). Returns how many bytes the file really had, up to `byteLength`.
 *
 * @example
 * const { buffer, bytesRead } = await readIntoNewArrayBuffer(file, 8 * n, hash);
 */
export async function readIntoNewArrayBuffer(
  file: FileHandle,
  byteLength: number,
  hash: Hash,
): Promise<{ buffer: ArrayBuffer; bytesRead: number }> {
  const buffer = new ArrayBuffer(byteLength);
  const bytes = new Uint8Array(buffer);
  const readChunk = (offset: number) =>
    file.read(bytes, offset, Math.min(READ_CHUNK_BYTES, byteLength - offset), offset);
  let offset = 0;
  let pending = byteLength > 0 ? readChunk(0) : undefined;
  while (pending !== undefined) {
    const { bytesRead } = await pending;
    const start = offset;
    offset += bytesRead;
    // Start the next read before hashing this chunk, so the two overlap.
    pending = bytesRead > 0 && offset < byteLength ? readChunk(offset) : undefined;
    hash.update(bytes.subarray(start, offset));
  }
  return { buffer, bytesRead: offset };
}
