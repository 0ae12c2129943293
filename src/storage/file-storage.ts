import { randomBytes } from 'node:crypto';
import { lstat, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describeValue } from '../errors.js';
import { hasErrorCode } from './file-io.js';
import { type FileStorageOptions, resolveFileStorageOptions } from './file-storage-options.js';
import { entriesIn, isFolderEntry, removeTree } from './folder-entries.js';
import { globToRegExp } from './glob.js';
import { makeDirectory } from './make-directory.js';
import { readRecordMeta } from './record-file.js';
import { RecordProblem } from './record-format.js';
import { NO_RECORD, RecordStale, readStoredValue } from './record-reader.js';
import { removeFiles, writeRecord } from './record-writer.js';
import {
  composeRecord,
  isSealedRecord,
  type RecordContent,
  refuseChangedOnRead,
  type SealedRecord,
} from './sealed-record.js';
import { sweepStaleFiles } from './stale-file-sweep.js';
import type { ReadOptions, SaveOptions, Storage, StoredKeyInfo, WorkerSaveStep } from './storage.js';
import { asStorageAccessError, type StorageAccessError } from './storage-access-error.js';
import {
  CorruptStoredResultError,
  StaleStoredResultError,
  StoredResultMissingError,
} from './storage-errors.js';
import { decodeStorageKey, encodeStorageKey, isHashedStorageKey } from './storage-key.js';
import {
  parseRawPartFileName,
  recordFileName,
  recordKeyOf,
  TRASH_PREFIX,
  type WorkflowFolders,
  workflowFolders,
} from './storage-layout.js';

/**
 * Keeps node results as files: `<path>/<workflow>/<node>.ffr`, with large typed arrays and
 * ArrayBuffers as raw files in `<path>/<workflow>/bigdata/`. Every value structured clone
 * carries round-trips; every write is atomic (and flushed to disk unless `durable: false`), so
 * a crash leaves the old result or the new one; every read checks a SHA-256 over the record and
 * its raw parts. Names of workflows and nodes may be any string: they are encoded into file
 * names that never leave the storage folder (see storage-key.ts).
 *
 * Several processes may share one folder: concurrent saves of one node never mix, the last
 * complete one wins, and a concurrent read returns one of the complete values.
 *
 * Damage to the folder is corruption like a failed checksum: a record or raw part is read only
 * if it is a regular file, so a folder, FIFO, socket or symbolic link in its place, or a file
 * that cannot be read (`EACCES`, over 2 GiB of damage), makes `readTask` reject with
 * {@link CorruptStoredResultError}; a workflow then runs the node again, warns, and its save
 * replaces the thing (a link itself, never its target; a folder only if empty).
 *
 * Symbolic links: links to folders are followed (the storage folder, a workflow's folder or
 * its `bigdata` may live on another disk); links in place of records or raw parts are never
 * followed, since a store that reads through them could be made to read any file. What the
 * file system refuses to write (read-only, full, no permission, a file where a folder belongs)
 * rejects with a {@link StorageAccessError} naming the operation, the path and the code. Clean-up
 * only deletes names of the shapes FileStorage makes.
 *
 * @example
 * const storage = new FileStorage('./store');
 * await storage.save('demo', 'weights', new Float64Array(1e6));
 * const weights = await storage.readTask('demo', 'weights'); // Float64Array(1000000)
 * await storage.listTasks('demo', '*model');
 */
export class FileStorage implements Storage {
  /** See {@link FileStorageOptions.alwaysRead}; may be changed at any time. */
  alwaysRead: boolean;
  /** The storage folder, absolute. */
  readonly path: string;
  /** See {@link FileStorageOptions.durable}. */
  readonly durable: boolean;
  /** Folders this instance created, so saves skip a `mkdir` call (a removed one is recreated). */
  readonly #knownDirectories = new Set<string>();

  constructor(path: string, options: FileStorageOptions = {}) {
    const resolved = resolveFileStorageOptions(path, options);
    this.path = resolved.path;
    this.alwaysRead = resolved.alwaysRead;
    this.durable = resolved.durable;
  }

  /**
   * Creates the workflow's folder, and removes what crashed writes left there long ago.
   *
   * @example
   * await storage.newWorkflow('demo');
   */
  async newWorkflow(workflowName: string): Promise<void> {
    const folders = this.#folders(checkName(workflowName, 'workflowName'));
    // The sweep never touches a record nor anything recent, so it may look while the folder
    // is being made: a run starts after one round trip to the disk, not several.
    await Promise.all([
      this.#ensureDirectory(folders.workflowDirectory),
      sweepStaleFiles(this.path, folders),
    ]);
  }

  /**
   * Stores a node's result, replacing any earlier one once the new one is complete. The value
   * must not change until the promise settles: large arrays are written from its own memory.
   * Rejects with {@link UnstorableResultError} for what structured clone cannot copy, or would
   * copy changed (a class instance without its methods).
   *
   * @example
   * await storage.save('demo', 'sum_0000', { total: 3n, at: new Date() });
   */
  async save(workflowName: string, nodeName: string, value: unknown, options?: SaveOptions): Promise<void> {
    checkName(workflowName, 'workflowName');
    checkName(nodeName, 'nodeName');
    refuseChangedOnRead(workflowName, nodeName, value);
    await this.#write(composeRecord(workflowName, nodeName, value, options?.cacheKey));
  }

  /**
   * Stores a record sealed elsewhere (on ThreadWorkflow, by the worker that computed the
   * result): only the writing is left, so the worker is not held up by the disk. The record
   * must have been made for this workflow and node.
   *
   * @example
   * await storage.saveSealed('demo', 'train', sealRecord(composeRecord('demo', 'train', model)));
   */
  async saveSealed(workflowName: string, nodeName: string, record: SealedRecord): Promise<void> {
    return this.#saveSealed(workflowName, nodeName, record);
  }

  /**
   * Where ThreadWorkflow's workers seal a result before the main thread writes it (see
   * Storage.workerSaveStep).
   */
  readonly workerSaveStep: WorkerSaveStep = {
    moduleUrl: new URL('./file-save-step.js', import.meta.url).href,
    exportName: 'sealForSave',
  };

  /** Writes a record sealed by {@link workerSaveStep} in a worker. */
  async savePrepared(workflowName: string, nodeName: string, prepared: unknown): Promise<void> {
    if (!isSealedRecord(prepared)) {
      throw new TypeError(
        `Expected a record sealed by FileStorage's worker save step for node ${JSON.stringify(nodeName)}, got ${describeValue(prepared)}`,
      );
    }
    return this.#saveSealed(workflowName, nodeName, prepared);
  }

  async #saveSealed(workflowName: string, nodeName: string, record: SealedRecord): Promise<void> {
    checkName(workflowName, 'workflowName');
    checkName(nodeName, 'nodeName');
    const { meta } = record;
    if (meta.workflowName !== workflowName || meta.nodeName !== nodeName) {
      throw new TypeError(
        `Expected a record sealed for node ${JSON.stringify(nodeName)} of workflow ${JSON.stringify(workflowName)}, ` +
          `got one for node ${JSON.stringify(meta.nodeName)} of workflow ${JSON.stringify(meta.workflowName)}`,
      );
    }
    await this.#write(record);
  }

  #write(record: RecordContent | SealedRecord): Promise<void> {
    return writeRecord(
      {
        folders: this.#folders(record.meta.workflowName),
        nodeKey: encodeStorageKey(record.meta.nodeName),
        durable: this.durable,
        ensureDirectory: (path) => this.#ensureDirectory(path),
      },
      record,
    );
  }

  /**
   * The stored result of a node, checked. Rejects with {@link StoredResultMissingError} when
   * nothing is stored and {@link CorruptStoredResultError} when the record fails a check; with
   * `options.cacheKey`, with {@link StaleStoredResultError} when the record was computed under
   * another key (or written before keys), before its raw parts are read.
   *
   * @example
   * const model = await storage.readTask('demo', 'train');
   */
  async readTask(workflowName: string, nodeName: string, options?: ReadOptions): Promise<unknown> {
    checkName(workflowName, 'workflowName');
    checkName(nodeName, 'nodeName');
    const folders = this.#folders(workflowName);
    const nodeKey = encodeStorageKey(nodeName);
    const recordPath = join(folders.workflowDirectory, recordFileName(nodeKey));
    let value: unknown;
    try {
      value = await readStoredValue({
        recordPath,
        rawPartDirectory: folders.rawPartDirectory,
        nodeKey,
        workflowName,
        nodeName,
        ...(options?.cacheKey === undefined ? {} : { cacheKey: options.cacheKey }),
      });
    } catch (error) {
      if (error instanceof RecordStale) {
        throw new StaleStoredResultError(workflowName, nodeName, error.reasons, error.storedKey);
      }
      if (!(error instanceof RecordProblem)) throw error;
      throw new CorruptStoredResultError(
        workflowName,
        nodeName,
        error.reason,
        error.message,
        error.filePath ?? recordPath,
        { cause: error.cause },
      );
    }
    if (value === NO_RECORD) throw new StoredResultMissingError(workflowName, nodeName, recordPath);
    return value;
  }

  /**
   * The key a stored result was computed under and when it was written, read from its record's
   * header alone; undefined when no readable record is stored.
   *
   * @example
   * const info = await storage.readKey('demo', 'train'); // { cacheKey: { key: '3f2a…', … }, writtenAt: 1767225600000 }
   */
  async readKey(workflowName: string, nodeName: string): Promise<StoredKeyInfo | undefined> {
    checkName(workflowName, 'workflowName');
    checkName(nodeName, 'nodeName');
    const { workflowDirectory } = this.#folders(workflowName);
    const meta = await readRecordMeta(join(workflowDirectory, recordFileName(encodeStorageKey(nodeName))));
    if (meta === undefined || meta.nodeName !== nodeName || meta.workflowName !== workflowName)
      return undefined;
    return {
      cacheKey: meta.cacheKey,
      writtenAt: typeof meta.writtenAt === 'number' ? meta.writtenAt : undefined,
    };
  }

  /**
   * Whether a record is stored for the node. It only looks (one `lstat`): a corrupt record
   * still counts (so does anything else in its place), and `readTask` then rejects with
   * {@link CorruptStoredResultError}.
   *
   * @example
   * if (await storage.fileExists('demo', 'train')) model = await storage.readTask('demo', 'train');
   */
  async fileExists(workflowName: string, nodeName: string): Promise<boolean> {
    checkName(workflowName, 'workflowName');
    checkName(nodeName, 'nodeName');
    const { workflowDirectory } = this.#folders(workflowName);
    try {
      await lstat(join(workflowDirectory, recordFileName(encodeStorageKey(nodeName))));
      return true;
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT', 'ENOTDIR')) return false;
      throw asStorageAccessError(error, 'list', workflowDirectory);
    }
  }

  /**
   * Names of the stored results whose names match `glob` (`*`: any characters, `?`: one, all
   * else literal), as the user wrote them, sorted by UTF-16 code units (`Array.prototype.sort`).
   * Temporary files and raw parts are never listed; nor is a record so damaged that the name of
   * a long (hashed) key cannot be read back. Whatever else has a record's name (a folder, a
   * FIFO, a link) is listed: it is damage, which `readTask` reports as corrupt.
   *
   * @example
   * await storage.listTasks('classifiers', '*model'); // ['iris, SVC-model', 'moons, SVC-model']
   */
  async listTasks(workflowName: string, glob = '*'): Promise<string[]> {
    checkName(workflowName, 'workflowName');
    if (typeof glob !== 'string') {
      throw new TypeError(`Expected \`glob\` to be a string, got ${describeValue(glob)}`);
    }
    const { workflowDirectory } = this.#folders(workflowName);
    const matcher = globToRegExp(glob);
    const names: string[] = [];
    for (const entry of await entriesIn(workflowDirectory)) {
      const nodeKey = recordKeyOf(entry.name);
      if (nodeKey === undefined) continue;
      const name = isHashedStorageKey(nodeKey)
        ? (await readRecordMeta(join(workflowDirectory, entry.name)))?.nodeName
        : decodeStorageKey(nodeKey);
      if (name !== undefined && matcher.test(name)) names.push(name);
    }
    return names.sort();
  }

  /**
   * Names of the workflows stored in this folder, as the user wrote them, sorted. A workflow
   * whose (long, hashed) name cannot be decoded is named by one of its records; one with no
   * readable record is left out.
   *
   * @example
   * await storage.listWorkflows(); // ['classifiers', 'demo']
   */
  async listWorkflows(): Promise<string[]> {
    const names: string[] = [];
    for (const entry of await entriesIn(this.path)) {
      if (entry.name.startsWith('.') || !(await isFolderEntry(this.path, entry))) continue;
      const name = isHashedStorageKey(entry.name)
        ? await this.#workflowNameFromRecords(join(this.path, entry.name))
        : decodeStorageKey(entry.name);
      if (name !== undefined) names.push(name);
    }
    return names.sort();
  }

  async #workflowNameFromRecords(workflowDirectory: string): Promise<string | undefined> {
    for (const entry of await entriesIn(workflowDirectory)) {
      if (recordKeyOf(entry.name) === undefined) continue;
      const meta = await readRecordMeta(join(workflowDirectory, entry.name));
      if (meta !== undefined) return meta.workflowName;
    }
    return undefined;
  }

  /**
   * Removes one node's result, or every result whose name matches `{ pattern }` (a glob as in
   * `listTasks`), with their raw parts. Removing what is not stored does nothing.
   *
   * @example
   * await storage.removeTask('demo', 'train');
   * await storage.removeTask('demo', { pattern: 'sum_*' });
   */
  async removeTask(workflowName: string, target: string | { readonly pattern: string }): Promise<void> {
    checkName(workflowName, 'workflowName');
    const isPattern = typeof target === 'object' && target !== null && typeof target.pattern === 'string';
    if (typeof target !== 'string' && !isPattern) {
      throw new TypeError(
        `Expected \`target\` to be a node name or { pattern: string }, got ${describeValue(target)}`,
      );
    }
    const names = typeof target === 'string' ? [target] : await this.listTasks(workflowName, target.pattern);
    const nodeKeys = new Set(names.map(encodeStorageKey));
    const folders = this.#folders(workflowName);
    // Records first: once a record is gone nothing reads its parts, so a crash in between only
    // leaves unreferenced parts, which newWorkflow sweeps.
    await removeFiles([...nodeKeys].map((key) => join(folders.workflowDirectory, recordFileName(key))));
    // Every part of these keys, not only those the record names: this also takes orphans left
    // by crashed or racing saves. A save of the same node running at this very moment may lose
    // its parts and then read as corrupt (recomputed), never as a wrong value.
    const partNames = (await entriesIn(folders.rawPartDirectory))
      .map((entry) => entry.name)
      .filter((name) => nodeKeys.has(parseRawPartFileName(name)?.nodeKey ?? ''));
    await removeFiles(partNames.map((name) => join(folders.rawPartDirectory, name)));
  }

  /**
   * Removes a workflow's folder and every result in it. The folder is first renamed out of the
   * way, so readers see all results or none, and a crash midway leaves a hidden `.trash-*`
   * folder that the next `newWorkflow` deletes.
   *
   * @example
   * await storage.removeWorkflow('demo');
   */
  async removeWorkflow(workflowName: string): Promise<void> {
    const folders = this.#folders(checkName(workflowName, 'workflowName'));
    this.#knownDirectories.delete(folders.workflowDirectory);
    this.#knownDirectories.delete(folders.rawPartDirectory);
    const trash = join(this.path, `${TRASH_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      await rename(folders.workflowDirectory, trash);
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT')) return;
      // Windows refuses to rename a folder with open files; delete it in place then.
      await removeTree(folders.workflowDirectory);
      return;
    }
    await removeTree(trash);
  }

  #folders(workflowName: string): WorkflowFolders {
    return workflowFolders(this.path, encodeStorageKey(workflowName));
  }

  async #ensureDirectory(path: string): Promise<void> {
    if (this.#knownDirectories.has(path)) return;
    await makeDirectory(path);
    this.#knownDirectories.add(path);
  }
}

function checkName(name: unknown, option: 'workflowName' | 'nodeName'): string {
  if (typeof name !== 'string') {
    throw new TypeError(`Expected \`${option}\` to be a string, got ${describeValue(name)}`);
  }
  return name;
}
