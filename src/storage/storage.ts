import type { CacheKey } from './cache-key.js';

/**
 * Where node results are kept between runs. A workflow with storage reads a node's stored
 * result instead of running it, and saves each result it computes. Every method is async.
 *
 * @example
 * const storage = new FileStorage('./store');
 * await storage.listTasks('demo', '*model');   // names of stored results
 */
export interface Storage {
  /**
   * When true, a freshly computed result is read back from storage before it goes to the
   * node's children, so they see exactly what a later run would read.
   */
  readonly alwaysRead: boolean;
  /** Prepares the storage for a workflow (creates its folder). */
  newWorkflow(workflowName: string): Promise<void>;
  /**
   * Stores a node's result, replacing any earlier one atomically. A storage that keeps cache
   * keys stores `options.cacheKey` with it (see {@link readTask}).
   */
  save(workflowName: string, nodeName: string, value: unknown, options?: SaveOptions): Promise<void>;
  /**
   * A stored result. FileStorage rejects with `StoredResultMissingError` when none is stored and
   * with `CorruptStoredResultError` when one is stored but fails its checks; a workflow treats
   * both as "run the node again", and warns, naming the node, for the second.
   *
   * With `options.cacheKey`, a storage that keeps keys rejects with `StaleStoredResultError`
   * when the stored result was computed under another key (or none), before reading the bulk
   * of it. A storage that ignores the option trusts its results by name.
   */
  readTask(workflowName: string, nodeName: string, options?: ReadOptions): Promise<unknown>;
  /**
   * The key a stored result was computed under and when it was written, without reading the
   * result; undefined when no readable record is stored. For plans and listings; optional.
   */
  readKey?(workflowName: string, nodeName: string): Promise<StoredKeyInfo | undefined>;
  /** Whether a result is stored. Cheap: it does not check the record, `readTask` does. */
  fileExists(workflowName: string, nodeName: string): Promise<boolean>;
  /** Sorted names of the stored results whose names match the glob (`*` and `?`). */
  listTasks(workflowName: string, glob?: string): Promise<string[]>;
  /** Removes one result, or every result whose name matches `{ pattern }` (a glob). */
  removeTask(workflowName: string, target: string | { readonly pattern: string }): Promise<void>;
  /** Removes every result of a workflow. */
  removeWorkflow(workflowName: string): Promise<void>;
  /**
   * Splits each save in two, when a storage has both this and {@link savePrepared}: the worker
   * thread that computed a result calls the step's function on it (the CPU part of a save, such
   * as encoding and checksumming, done where the value is: doing it in the main thread would
   * hold up every dispatch), and the main thread hands what it made to `savePrepared` while that
   * worker goes on with its next node. Storages without it get `save` from the main thread.
   */
  readonly workerSaveStep?: WorkerSaveStep;
  /** Stores what the worker save step made of a node's result (see {@link workerSaveStep}). */
  savePrepared?(workflowName: string, nodeName: string, prepared: unknown): Promise<void>;
}

/**
 * Options of {@link Storage.save} and of a {@link PrepareSave}.
 *
 * @example
 * await storage.save('demo', 'sum_0000', 3, { cacheKey });
 */
export interface SaveOptions {
  /** The key the value was computed under, to store with it. */
  readonly cacheKey?: CacheKey;
}

/**
 * Options of {@link Storage.readTask}.
 *
 * @example
 * await storage.readTask('demo', 'sum_0000', { cacheKey }); // rejects with StaleStoredResultError if computed under another key
 */
export interface ReadOptions {
  /** The key the node has now: a result stored under another one is stale. */
  readonly cacheKey?: CacheKey;
}

/**
 * What {@link Storage.readKey} tells of a stored result.
 *
 * @example
 * const { cacheKey, writtenAt } = (await storage.readKey?.('demo', 'sum_0000')) ?? {};
 */
export interface StoredKeyInfo {
  /** The key it was computed under, as stored (check it with a comparison, not a cast); undefined before keys. */
  readonly cacheKey: unknown;
  /** When it was written, epoch milliseconds; undefined when the record does not say (written before keys). */
  readonly writtenAt: number | undefined;
}

/**
 * Where a worker finds a storage's save step: a module it imports (a `file:` URL) and the name
 * of the {@link PrepareSave} function it exports. The function runs in worker threads, so the
 * module must not need the storage object itself.
 *
 * @example
 * readonly workerSaveStep = { moduleUrl: new URL('./encode-in-worker.js', import.meta.url).href, exportName: 'encode' };
 */
export interface WorkerSaveStep {
  readonly moduleUrl: string;
  readonly exportName: string;
}

/**
 * A storage's save step, called in the worker with the node's result. `prepared` crosses to the
 * main thread by structured clone, with `transferList` moved rather than copied.
 *
 * @example
 * export const encode: PrepareSave = (workflowName, nodeName, value) => ({ prepared: JSON.stringify(value), transferList: [] });
 */
export type PrepareSave = (
  workflowName: string,
  nodeName: string,
  value: unknown,
  options?: SaveOptions,
) => PreparedSave;

/** What a worker is sent to run a storage's save step for one node. */
export interface WorkerSaveRequest extends WorkerSaveStep {
  readonly workflowName: string;
  /** The node's cache key, computed in the main thread, to seal into the record. */
  readonly cacheKey?: CacheKey;
}

/** What a {@link PrepareSave} returns. */
export interface PreparedSave {
  readonly prepared: unknown;
  readonly transferList: readonly ArrayBuffer[];
}

/**
 * Type guard for objects usable as storage.
 *
 * @example
 * if (!isStorage(candidate)) throw new TypeError('not a storage');
 */
export function isStorage(value: unknown): value is Storage {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return ['newWorkflow', 'save', 'readTask', 'fileExists', 'listTasks', 'removeTask', 'removeWorkflow'].every(
    (method) => typeof candidate[method] === 'function',
  );
}
