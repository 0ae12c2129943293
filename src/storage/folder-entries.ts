/**
 * Listing and removing the store's folders, with the file system's refusals reported as
 * {@link StorageAccessError}s. A missing folder lists as empty: nothing is stored in it yet.
 */
import type { Dirent } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrorCode } from './file-io.js';
import { asStorageAccessError } from './storage-access-error.js';

/**
 * The entries of `directory`, or none when it does not exist (or is a file: nothing can be
 * stored in it).
 *
 * @example
 * for (const entry of await entriesIn('/store/demo')) console.log(entry.name);
 */
export async function entriesIn(directory: string): Promise<Dirent[]> {
  try {
    return await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT', 'ENOTDIR')) return [];
    throw asStorageAccessError(error, 'list', directory);
  }
}

/**
 * Whether an entry of `directory` is a folder, or a symbolic link to one: the store follows
 * links to folders (a workflow's folder or `bigdata` may live on another disk), never links to
 * files.
 *
 * @example
 * if (await isFolderEntry('/store', entry)) names.push(entry.name);
 */
export async function isFolderEntry(directory: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  return stat(join(directory, entry.name)).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

/**
 * Deletes a folder and everything in it (links inside are removed, not followed).
 *
 * @example
 * await removeTree('/store/.trash-0123456789abcdef');
 */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch (error) {
    throw asStorageAccessError(error, 'remove', path);
  }
}
