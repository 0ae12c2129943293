/**
 * Thread-pool driver: where each result of a run goes on the main thread. A computed result
 * goes into the run's ResultStore, unless its node is stored: then it waits here for its save,
 * with what its worker's save step prepared, and goes into the store only once saved (children
 * wait for the save: FileStorage's record views the result's own buffers, which a child may be
 * handed and may change). A stored result is read into the store.
 */
import type { Node } from '../graph/node.js';
import type { RunEvent } from '../scheduler/run-events.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import type { ResultStore } from './result-store.js';
import { readStoredStep, saveStep } from './storage-steps.js';

/** A computed result waiting for its save, with what its worker prepared for it. */
interface UnsavedResult {
  readonly value: unknown;
  readonly preparedSave: { readonly prepared: unknown } | undefined;
}

export class ThreadResultFlow {
  readonly #run: PreparedRun;
  readonly #store: ResultStore;
  /** Computed results waiting for their save, by plan index. */
  readonly #unsaved = new Map<number, UnsavedResult>();

  constructor(run: PreparedRun, store: ResultStore) {
    this.#run = run;
    this.#store = store;
  }

  /**
   * Task node `index` computed `value` on a worker (which ran the storage's save step when
   * the node is stored, `preparedSave`): kept for its save, or put in the store.
   *
   * @example
   * results.computed(index, node, outcomes.values[position], extras?.preparedSave);
   */
  computed(
    index: number,
    node: Node,
    value: unknown,
    preparedSave: { readonly prepared: unknown } | undefined,
  ): void {
    if (this.#run.stored?.isCached(node)) this.#unsaved.set(index, { value, preparedSave });
    else this.#store.store(index, value);
  }

  /**
   * Reads node `index`'s stored result into the store; resolves to the event for the core.
   *
   * @example
   * results.readStored(index).then((event) => this.tell(event));
   */
  readStored(index: number): Promise<RunEvent> {
    const { stored, plan } = this.#run;
    return readStoredStep(stored, plan.nodes[index] as Node, index, this.#store);
  }

  /**
   * Saves node `index`'s computed result (handing over what its worker prepared, if it did),
   * then puts it in the store; resolves to the event for the core.
   *
   * @example
   * results.save(index).then((event) => this.tell(event));
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
