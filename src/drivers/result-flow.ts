/**
 * Where each result of a run goes, for the main-thread and the thread-pool drivers. A computed
 * result goes into the run's ResultStore, unless its node is stored: then it waits here for its
 * save (on threads, with what its worker's save step prepared), and what its children get is
 * what the save kept: they wait for the save, since FileStorage's record may view the result's
 * own buffers, which a child may be handed and may change, and with `alwaysRead` they get the
 * stored copy. A stored result is read into the store. The main-thread driver's synchronous
 * fast path puts an unstored result in the store itself, with no call through here.
 */
import type { Node } from '../graph/node.js';
import type { RunEvent } from '../scheduler/run-events.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import type { ResultStore } from './result-store.js';
import { readStoredStep, saveStep } from './storage-steps.js';

/** What a worker's save step prepared for the main thread's save, if a worker ran it. */
export type PreparedSave = { readonly prepared: unknown } | undefined;

/** A computed result waiting for its save. */
interface UnsavedResult {
  readonly value: unknown;
  readonly preparedSave: PreparedSave;
}

export class ResultFlow {
  readonly #run: PreparedRun;
  readonly #store: ResultStore;
  /** Computed results waiting for their save, by plan index. */
  readonly #unsaved = new Map<number, UnsavedResult>();

  constructor(run: PreparedRun, store: ResultStore) {
    this.#run = run;
    this.#store = store;
  }

  /**
   * Task node `index` computed `value` (on a worker, which ran the storage's save step when the
   * node is stored: `preparedSave`): kept for its save when the node is stored, else put in the
   * store.
   *
   * @example
   * results.computed(index, node, outcomes.values[position], extras?.preparedSave);
   */
  computed(index: number, node: Node, value: unknown, preparedSave?: PreparedSave): void {
    if (this.#run.stored?.isCached(node)) this.#unsaved.set(index, { value, preparedSave });
    else this.#store.store(index, value);
  }

  /**
   * Reads node `index`'s stored result into the store; resolves to the event for the core.
   *
   * @example
   * tell(await results.readStored(index));
   */
  readStored(index: number): Promise<RunEvent> {
    const { stored, plan } = this.#run;
    return readStoredStep(stored, plan.nodes[index] as Node, index, this.#store);
  }

  /**
   * Saves node `index`'s computed result (handing over what its worker prepared, if it did),
   * then keeps what its children get in the store; resolves to the event for the core.
   *
   * @example
   * tell(await results.save(index));
   */
  save(index: number): Promise<RunEvent> {
    const { stored, plan } = this.#run;
    const unsaved = this.#unsaved.get(index);
    this.#unsaved.delete(index);
    return saveStep(
      stored,
      plan.nodes[index] as Node,
      index,
      unsaved?.value,
      unsaved?.preparedSave,
      this.#store,
    );
  }
}
