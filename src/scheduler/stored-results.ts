import { isActorCallable } from '../graph/callable.js';
import type { Node } from '../graph/node.js';
import type { Storage, WorkerSaveRequest } from '../storage/storage.js';
import { StorageAccessError } from '../storage/storage-access-error.js';
import {
  CorruptStoredResultError,
  ResultNotSavedError,
  StoredResultMissingError,
} from '../storage/storage-errors.js';

/** What the storage holds for a node: a usable result, or nothing to use. */
export type StoredLookup = { readonly found: true; readonly value: unknown } | { readonly found: false };

const nothingStored: StoredLookup = Object.freeze({ found: false });

/**
 * How a run uses its storage, the same on every backend: which nodes are cached, reading a
 * stored result instead of running, saving a computed one.
 *
 * Stateful (actor) nodes are never cached: one stored result cannot rebuild an object's
 * state, so they always run. Nodes downstream of them are cached like any other: a stored
 * result is trusted by its node's name, and re-running the actor reproduces the inputs it was
 * computed from whenever the actor is deterministic (seed it with RandomStatePlugin).
 *
 * A stored result that fails its checks counts as missing: the node runs again and is saved
 * again, with a warning naming it. Nothing wrong is ever handed to a child.
 */
export class StoredResults {
  readonly #storage: Storage;
  readonly #workflowName: string;
  readonly #neverStored: ReadonlySet<Node>;
  #saveRequest: WorkerSaveRequest | undefined;
  /** Names stored when the run started: one directory listing instead of a check per node. */
  #storedNames: ReadonlySet<string> = new Set();

  constructor(storage: Storage, workflowName: string, neverStored: ReadonlySet<Node>) {
    this.#storage = storage;
    this.#workflowName = workflowName;
    this.#neverStored = neverStored;
  }

  /**
   * Asks the worker that runs `node` to run the storage's save step on its result, when the
   * node is saved and the storage has one (FileStorage seals records there); undefined means
   * the main thread does all of the save.
   */
  workerSaveRequestFor(node: Node): WorkerSaveRequest | undefined {
    const { workerSaveStep, savePrepared } = this.#storage;
    if (!this.isCached(node) || workerSaveStep === undefined || savePrepared === undefined) return undefined;
    this.#saveRequest ??= { ...workerSaveStep, workflowName: this.#workflowName };
    return this.#saveRequest;
  }

  /** Lists what is stored; call once before the run reads anything. */
  async prepare(): Promise<void> {
    this.#storedNames = new Set(await this.#storage.listTasks(this.#workflowName));
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
    return !isActorCallable(node.callable) && !this.#neverStored.has(node);
  }

  async read(node: Node): Promise<StoredLookup> {
    const storage = this.#storage;
    if (!this.mayHold(node)) return nothingStored;
    try {
      return { found: true, value: await storage.readTask(this.#workflowName, node.name) };
    } catch (error) {
      if (error instanceof StoredResultMissingError) return nothingStored; // removed since listed
      if (!(error instanceof CorruptStoredResultError)) throw error;
      const { reason, filePath } = error;
      process.emitWarning(
        `The stored result of node "${node.name}" in workflow "${this.#workflowName}" failed its check ` +
          `(${reason}, ${filePath}); ` +
          'the node runs again and its result is saved again.',
        { type: 'FunctionFuseWarning', code: 'FUNCTIONFUSE_CORRUPT_RESULT' },
      );
      return nothingStored;
    }
  }

  /** Saves a computed result; resolves to what children get (the stored copy with alwaysRead). */
  async save(node: Node, value: unknown): Promise<unknown> {
    await this.#storage.save(this.#workflowName, node.name, value).catch(this.#notSaved(node));
    return this.readBackIfAsked(node, value);
  }

  /** Hands over what a worker's save step made of a result; resolves to what children get, as {@link save}. */
  async savePrepared(node: Node, value: unknown, prepared: unknown): Promise<unknown> {
    const storage = this.#storage;
    if (storage.savePrepared === undefined) return this.save(node, value);
    await storage.savePrepared(this.#workflowName, node.name, prepared).catch(this.#notSaved(node));
    return this.readBackIfAsked(node, value);
  }

  /**
   * A save the file system refused is not the node's fault: say that it computed, and what
   * the storage could not do. Other errors (an unstorable value) go on as they are.
   */
  #notSaved(node: Node): (error: unknown) => never {
    return (error) => {
      if (!(error instanceof StorageAccessError)) throw error;
      throw new ResultNotSavedError(this.#workflowName, node.name, error);
    };
  }

  /** With `alwaysRead`, the copy a later run would read; else `value` itself. */
  async readBackIfAsked(node: Node, value: unknown): Promise<unknown> {
    if (!this.#storage.alwaysRead) return value;
    return this.#storage.readTask(this.#workflowName, node.name);
  }
}
