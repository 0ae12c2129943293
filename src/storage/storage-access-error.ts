/**
 * The file system refused something FileStorage needs (a read-only mount, a full disk, missing
 * permissions, a file where a folder belongs). One error class for all of them, so a user is
 * told what FileStorage was doing, where, the system's code, and what to change; not a bare
 * `ENOENT ... mkdir` from deep inside Node, nor a failure blamed on the node that was saved.
 */
import { FunctionFuseError } from '../errors.js';

/**
 * What FileStorage was doing when the file system refused:
 * - `create-folder`: making the storage, workflow or `bigdata` folder;
 * - `write`: writing a record's temporary file or a raw part (creating, writing, flushing it);
 * - `rename`: putting a finished record in place, over the old one;
 * - `sync`: flushing a folder's entries to disk;
 * - `remove`: deleting a record, a raw part or a workflow's folder;
 * - `list`: listing a folder.
 *
 * @example
 * if (error instanceof StorageAccessError && error.operation === 'write') ...
 */
export type StorageOperation = 'create-folder' | 'write' | 'rename' | 'sync' | 'remove' | 'list';

const doing: Record<StorageOperation, string> = {
  'create-folder': 'create the folder',
  write: 'write',
  rename: 'put the finished record in place at',
  sync: 'flush to disk the folder',
  remove: 'remove',
  list: 'list the folder',
};

/** What to do about a system error code; the codes a storage folder really meets. */
function adviceFor(code: string): string {
  switch (code) {
    case 'EROFS':
      return 'The file system is mounted read-only: give FileStorage a folder on a writable file system, or remount this one read-write.';
    case 'EACCES':
    case 'EPERM':
      return "This process's user lacks the permission: grant it read and write access to the storage folder and everything in it, or give FileStorage another folder.";
    case 'ENOSPC':
      return 'The disk is full: free some space, or give FileStorage a folder on another disk.';
    case 'EDQUOT':
      return 'The disk quota is used up: free some space or raise the quota, or give FileStorage another folder.';
    case 'EEXIST':
    case 'ENOTDIR':
      return 'A file stands where FileStorage needs a folder: move or remove it (FileStorage never deletes what it did not write).';
    case 'EISDIR':
    case 'ENOTEMPTY':
      return 'A folder stands where FileStorage writes a file: move or remove it (FileStorage never deletes what it did not write).';
    case 'EMFILE':
    case 'ENFILE':
      return 'Too many files are open: raise the limit (ulimit -n), or run fewer nodes at once.';
    case 'EIO':
      return 'The disk reported an input/output error: check the disk.';
    default:
      return 'Check that the storage folder exists, is a folder, and can be read and written by this process.';
  }
}

/**
 * The file system refused an operation of FileStorage. `code` is the system's code (`EROFS`,
 * `EACCES`, `ENOSPC`...), `path` the file or folder at fault, `cause` Node's own error. A run
 * whose save fails this way rejects with {@link ResultNotSavedError}, whose cause this is.
 *
 * @example
 * try {
 *   await storage.save('demo', 'train', model);
 * } catch (error) {
 *   if (error instanceof StorageAccessError && error.code === 'ENOSPC') freeSomeSpace();
 * }
 * // FileStorage could not write /store/demo/.train.ffr.0123456789abcdef.tmp (ENOSPC: no space
 * // left on device). The disk is full: free some space, or give FileStorage a folder on another disk.
 */
export class StorageAccessError extends FunctionFuseError {
  override name = 'StorageAccessError';
  readonly operation: StorageOperation;
  readonly path: string;
  /** The system error code, as Node reports it (`EROFS`, `EACCES`, `ENOSPC`...). */
  readonly code: string;

  /**
   * `description` says what the code means when `cause` (Node's error) does not: Node writes
   * it as `EROFS: read-only file system, open '…'`.
   */
  constructor(
    operation: StorageOperation,
    path: string,
    code: string,
    options: { cause?: unknown; description?: string } = {},
  ) {
    const { cause } = options;
    const description =
      options.description ??
      (cause instanceof Error ? /^[A-Z0-9_]+: ([^,]+)/.exec(cause.message)?.[1] : undefined);
    super(
      `FileStorage could not ${doing[operation]} ${path} (${code}${description === undefined ? '' : `: ${description}`}). ` +
        adviceFor(code),
      cause === undefined ? undefined : { cause },
    );
    this.operation = operation;
    this.path = path;
    this.code = code;
  }
}

/**
 * `error` as a {@link StorageAccessError} when it is a system error from the file system;
 * anything else (a StorageAccessError already, a bug) is returned as it is.
 *
 * @example
 * try { await mkdir(path); } catch (error) { throw asStorageAccessError(error, 'create-folder', path); }
 */
export function asStorageAccessError(error: unknown, operation: StorageOperation, path: string): unknown {
  if (error instanceof StorageAccessError || !(error instanceof Error)) return error;
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof syscall !== 'string') return error;
  return new StorageAccessError(operation, path, code, { cause: error });
}
