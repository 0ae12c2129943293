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
  /** Stores a node's result, replacing any earlier one atomically. */
  save(workflowName: string, nodeName: string, value: unknown): Promise<void>;
  /**
   * A stored result. FileStorage rejects with `StoredResultMissingError` when none is stored and
   * with `CorruptStoredResultError` when one is stored but fails its checks; a workflow treats
   * both as "run the node again", and warns, naming the node, for the second.
   */
  readTask(workflowName: string, nodeName: string): Promise<unknown>;
  /** Whether a result is stored. Cheap: it does not check the record, `readTask` does. */
  fileExists(workflowName: string, nodeName: string): Promise<boolean>;
  /** Sorted names of the stored results whose names match the glob (`*` and `?`). */
  listTasks(workflowName: string, glob?: string): Promise<string[]>;
  /** Removes one result, or every result whose name matches `{ pattern }` (a glob). */
  removeTask(workflowName: string, target: string | { readonly pattern: string }): Promise<void>;
  /** Removes every result of a workflow. */
  removeWorkflow(workflowName: string): Promise<void>;
  /**
   * How a worker thread can open the same storage, so the worker that computed a result saves
   * it (serialising a large result in the main thread would hold up every dispatch). Storages
   * without it are saved to from the main thread.
   */
  forWorkers?(): StorageForWorkers;
}

/** What a worker thread needs to open a storage itself: plain data that crosses threads. */
export interface StorageForWorkers {
  readonly kind: 'file';
  readonly path: string;
  readonly durable: boolean;
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
