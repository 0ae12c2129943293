/**
 * Main-thread driver: where each computed or stored result of a run goes. A computed result
 * goes into the run's ResultStore, unless its node is stored: then it waits here for its save,
 * and what children get is what the save kept (the stored copy, with `alwaysRead`). A stored
 * result is read into the store. The synchronous fast path puts an unstored result in the store
 * itself, with no call through here.
 */
import type { Node } from '../graph/node.js';
import type { RunEvent } from '../scheduler/run-events.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import type { ResultStore } from './result-store.js';
import { readStoredStep, saveStep } from './storage-steps.js';

export class MainThreadResultFlow {
  readonly #run: PreparedRun;
  readonly #store: ResultStore;
  /** Computed results waiting for their save, by plan index. */
  readonly #unsaved = new Map<number, unknown>();

  constructor(run: PreparedRun, store: ResultStore) {
    this.#run = run;
    this.#store = store;
  }

  /**
   * Node `index` computed `value`: kept for its save when the node is stored, else put in the
   * store.
   *
   * @example
   * results.computed(index, node, value);
   */
  computed(index: number, node: Node, value: unknown): void {
    if (this.#run.stored?.isCached(node)) this.#unsaved.set(index, value);
    else this.#store.store(index, value);
  }

  /**
   * Reads node `index`'s stored result into the store; resolves to the event for the core.
   *
   * @example
   * this.#tell(await results.readStored(index));
   */
  readStored(index: number): Promise<RunEvent> {
    const { stored, plan } = this.#run;
    return readStoredStep(stored, plan.nodes[index] as Node, index, this.#store);
  }

  /**
   * Saves node `index`'s computed result, then keeps what its children get in the store;
   * resolves to the event for the core.
   *
   * @example
   * this.#tell(await results.save(index));
   */
  save(index: number): Promise<RunEvent> {
    const { stored, plan } = this.#run;
    const value = this.#unsaved.get(index);
    this.#unsaved.delete(index);
    return saveStep(stored, plan.nodes[index] as Node, index, value, undefined, this.#store);
  }
}
