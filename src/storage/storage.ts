import type { SealedRecord } from './sealed-record.js';

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
   * Stores a result already encoded and checksummed in FileStorage's record format. When a
   * storage has it, ThreadWorkflow splits each save: the worker that computed the result seals
   * it (the CPU work, where the value is: serialising a large result in the main thread would
   * hold up every dispatch), and the main thread writes the bytes while that worker goes on
   * with its next node. Storages without it get `save` from the main thread.
   */
  saveSealed?(workflowName: string, nodeName: string, record: SealedRecord): Promise<void>;
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
