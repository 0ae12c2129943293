/**
 * Opening a file of the store for reading, safely: only a regular file is ever read. Opening a
 * named pipe (FIFO) for reading waits for a writer, so a FIFO in place of a record would hold
 * one of libuv's four threads forever (and with it even `process.exit()`): the file is opened
 * non-blocking, which returns at once for any kind of file, and is then checked with `fstat`
 * before a byte is read. A symbolic link in place of a record or a raw part is not followed
 * (`O_NOFOLLOW`): the store's files are its own, never somewhere else on the disk.
 */
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/**
 * Flags of every read in the store. Windows has neither flag (and neither FIFOs in a folder nor
 * links that open silently), so they are 0 there.
 */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/**
 * Something other than a regular file stands at `path`; `kind` says what, in words.
 *
 * @example
 * catch (error) { if (error instanceof NotARegularFile) console.log(error.kind); } // 'a named pipe (FIFO)'
 */
export class NotARegularFile extends Error {
  override name = 'NotARegularFile';

  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a file`);
  }
}

/**
 * Opens a regular file for reading and returns it with its size. Throws
 * {@link NotARegularFile} for a directory, FIFO, socket, device or symbolic link, and Node's own
 * error when the file cannot be opened (`ENOENT`, `EACCES`...).
 *
 * @example
 * const { file, size } = await openRegularFile('/store/demo/train.ffr');
 */
export async function openRegularFile(path: string): Promise<{ file: FileHandle; size: number }> {
  let file: FileHandle;
  try {
    file = await open(path, READ_FLAGS);
  } catch (error) {
    // O_NOFOLLOW refuses a link with ELOOP; say what it is instead.
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new NotARegularFile(path, 'a symbolic link');
    throw error;
  }
  try {
    const stats = await file.stat();
    if (!stats.isFile()) throw new NotARegularFile(path, kindOf(stats));
    return { file, size: stats.size };
  } catch (error) {
    await file.close().catch(() => {});
    throw error;
  }
}

/**
 * What a file that is not a regular one is, in words.
 *
 * @example
 * kindOf(await lstat(path)); // 'a directory'
 */
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}
