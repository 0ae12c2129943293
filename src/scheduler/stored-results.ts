import type { WorkflowEvents } from '../events/workflow-events.js';
import { eventTime } from '../events/workflow-events.js';
import type { Node } from '../graph/node.js';
import type { NodeKeys } from '../keys/node-keys.js';
import { type CacheKey, isCacheKey } from '../storage/cache-key.js';
import type { Storage, WorkerSaveRequest } from '../storage/storage.js';
import { StorageAccessError } from '../storage/storage-access-error.js';
import {
  CorruptStoredResultError,
  ResultNotSavedError,
  StaleStoredResultError,
  StoredResultMissingError,
} from '../storage/storage-errors.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import { isStoredNode } from '../workflow/run-plan.js';
import type { StoredResultTrust } from '../workflow/storage-options.js';

/** What the storage holds for a node: a usable result, or nothing to use. */
export type StoredLookup = { readonly found: true; readonly value: unknown } | { readonly found: false };

const nothingStored: StoredLookup = Object.freeze({ found: false });

/** What StoredResults needs of the run beside its storage. */
export interface StoredResultsContext {
  readonly workflowName: string;
  readonly plan: ExecutionPlan;
  /** Nodes given to logNodes: never stored. */
  readonly neverStored: ReadonlySet<Node>;
  /** Every node's cache key, computed before the run. */
  readonly keys: NodeKeys;
  readonly trust: StoredResultTrust;
  readonly events: WorkflowEvents;
}

/**
 * How a run uses its storage, the same on every backend: which nodes are cached, reading a
 * stored result instead of running, saving a computed one with its cache key.
 *
 * A stored result is used only when it was computed under the node's key (its code, version,
 * arguments, parents' keys and seed unchanged; see keys/node-keys.ts). One under another key is
 * stale: the node runs again, its result is saved over the stale one, and a `node-stale` event
 * says what changed. With `trust: 'name'` any result stored under the node's name is used.
 *
 * Stateful (actor) nodes are never cached: one stored result cannot rebuild an object's
 * state, so they always run. Nodes downstream of them are cached like any other, keyed through
 * the actor's calls (init arguments, method, call order).
 *
 * A stored result that fails its checks counts as missing: the node runs again and is saved
 * again, with a warning naming it. Nothing wrong is ever handed to a child.
 */
export class StoredResults {
  readonly #storage: Storage;
  readonly #context: StoredResultsContext;
  #saveStep: WorkerSaveRequest | undefined;
  /** Names stored when the run started: one directory listing instead of a check per node. */
  #storedNames: ReadonlySet<string> = new Set();

  constructor(storage: Storage, context: StoredResultsContext) {
    this.#storage = storage;
    this.#context = context;
  }

  /**
   * Asks the worker that runs `node` to run the storage's save step on its result, with the
   * node's cache key, when the node is saved and the storage has one (FileStorage seals records
   * there); undefined means the main thread does all of the save.
   */
  workerSaveRequestFor(node: Node): WorkerSaveRequest | undefined {
    const { workerSaveStep, savePrepared } = this.#storage;
    if (!this.isCached(node) || workerSaveStep === undefined || savePrepared === undefined) return undefined;
    this.#saveStep ??= { ...workerSaveStep, workflowName: this.#context.workflowName };
    return { ...this.#saveStep, cacheKey: this.#cacheKeyOf(node) };
  }

  /** Lists what is stored; call once before the run reads anything. */
  async prepare(): Promise<void> {
    this.#storedNames = new Set(await this.#storage.listTasks(this.#context.workflowName));
  }

  /**
   * Whether a result of `node` was stored when the run started (it may still turn out unusable).
   * When false, the node runs without waiting for any storage call.
   */
  mayHold(node: Node): boolean {
    return this.isCached(node) && this.#storedNames.has(node.name);
  }

  /** Whether `node` is read from and saved to storage. */
  isCached(node: Node): boolean {
    return isStoredNode(node, this.#context.neverStored);
  }

  async read(node: Node): Promise<StoredLookup> {
    const storage = this.#storage;
    const { workflowName, trust } = this.#context;
    if (!this.mayHold(node)) return nothingStored;
    const cacheKey = trust === 'key' ? this.#cacheKeyOf(node) : undefined;
    try {
      const options = cacheKey === undefined ? undefined : { cacheKey };
      return { found: true, value: await storage.readTask(workflowName, node.name, options) };
    } catch (error) {
      if (error instanceof StoredResultMissingError) return nothingStored; // removed since listed
      if (error instanceof StaleStoredResultError && cacheKey !== undefined) {
        this.#reportStale(node, cacheKey, error);
        return nothingStored;
      }
      if (!(error instanceof CorruptStoredResultError)) throw error;
      const { reason, filePath } = error;
      process.emitWarning(
        `The stored result of node "${node.name}" in workflow "${workflowName}" failed its check ` +
          `(${reason}, ${filePath}); ` +
          'the node runs again and its result is saved again.',
        { type: 'FunctionFuseWarning', code: 'FUNCTIONFUSE_CORRUPT_RESULT' },
      );
      return nothingStored;
    }
  }

  /** Saves a computed result; resolves to what children get (the stored copy with alwaysRead). */
  async save(node: Node, value: unknown): Promise<unknown> {
    const options = { cacheKey: this.#cacheKeyOf(node) };
    await this.#storage
      .save(this.#context.workflowName, node.name, value, options)
      .catch(this.#notSaved(node));
    return this.readBackIfAsked(node, value);
  }

  /** Hands over what a worker's save step made of a result; resolves to what children get, as {@link save}. */
  async savePrepared(node: Node, value: unknown, prepared: unknown): Promise<unknown> {
    const storage = this.#storage;
    if (storage.savePrepared === undefined) return this.save(node, value);
    await storage.savePrepared(this.#context.workflowName, node.name, prepared).catch(this.#notSaved(node));
    return this.readBackIfAsked(node, value);
  }

  /**
   * A save the file system refused is not the node's fault: say that it computed, and what
   * the storage could not do. Other errors (an unstorable value) go on as they are.
   */
  #notSaved(node: Node): (error: unknown) => never {
    return (error) => {
      if (!(error instanceof StorageAccessError)) throw error;
      throw new ResultNotSavedError(this.#context.workflowName, node.name, error);
    };
  }

  /** With `alwaysRead`, the copy a later run would read; else `value` itself. */
  async readBackIfAsked(node: Node, value: unknown): Promise<unknown> {
    if (!this.#storage.alwaysRead) return value;
    return this.#storage.readTask(this.#context.workflowName, node.name);
  }

  #cacheKeyOf(node: Node): CacheKey {
    const { plan, keys } = this.#context;
    return keys.cacheKeyOf(plan.indexOf.get(node) as number);
  }

  #reportStale(node: Node, cacheKey: CacheKey, error: StaleStoredResultError): void {
    const { events, plan } = this.#context;
    if (!events.has('node-stale')) return;
    const [reason = 'written-before-keys', ...others] = error.reasons;
    events.emit('node-stale', {
      node: node.name,
      index: plan.indexOf.get(node) as number,
      time: eventTime(),
      reason,
      reasons: [reason, ...others],
      key: cacheKey.key,
      storedKey: isCacheKey(error.storedKey) ? error.storedKey.key : undefined,
    });
  }
}
