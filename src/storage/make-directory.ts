/**
 * Creating the store's folders with errors that say what is wrong. Node's
 * `mkdir(path, { recursive: true })` reports `ENOENT` when a parent cannot be created (on a
 * read-only file system, say, where the folder it names exists), and `EEXIST` when a file has
 * the folder's name; this walks up one folder at a time so the real code reaches the user, as a
 * {@link StorageAccessError} naming the folder (or the file in its way).
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { asStorageAccessError, StorageAccessError } from './storage-access-error.js';

/**
 * Creates `path` and any missing parent, as `mkdir -p`. A folder that exists already, or a
 * symbolic link to one, is fine. Throws {@link StorageAccessError}: `EEXIST` or `ENOTDIR` with
 * the path of a file that stands where a folder belongs, else the code the system gave.
 *
 * @example
 * await makeDirectory('/store/demo/bigdata');
 */
export async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    if (hasErrorCode(error, 'EEXIST')) return checkIsDirectory(path);
    if (hasErrorCode(error, 'ENOTDIR')) throw await fileInTheWay(path, error);
    const parent = dirname(path);
    if (!hasErrorCode(error, 'ENOENT') || parent === path) {
      throw asStorageAccessError(error, 'create-folder', path);
    }
    await makeDirectory(parent);
    try {
      await mkdir(path);
    } catch (retryError) {
      // Another process may have made it in between.
      if (hasErrorCode(retryError, 'EEXIST')) return checkIsDirectory(path);
      throw asStorageAccessError(retryError, 'create-folder', path);
    }
  }
}

function hasErrorCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

async function checkIsDirectory(path: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw asStorageAccessError(error, 'create-folder', path);
  }
  if (!isDirectory) {
    throw new StorageAccessError('create-folder', path, 'EEXIST', { description: 'a file has this name' });
  }
}

/**
 * For an `ENOTDIR` met at `path`: a {@link StorageAccessError} naming the first ancestor of
 * `path` that is a file where a folder belongs (else `error` as a StorageAccessError).
 *
 * @example
 * if (hasErrorCode(error, 'ENOTDIR')) throw await fileInTheWay(partPath, error);
 */
export async function fileInTheWay(path: string, error: unknown): Promise<unknown> {
  for (let ancestor = dirname(path); ancestor !== dirname(ancestor); ancestor = dirname(ancestor)) {
    const isDirectory = await stat(ancestor).then(
      (stats) => stats.isDirectory(),
      () => undefined,
    );
    if (isDirectory === false)
      return new StorageAccessError('create-folder', ancestor, 'ENOTDIR', { cause: error });
  }
  return asStorageAccessError(error, 'create-folder', path);
}
