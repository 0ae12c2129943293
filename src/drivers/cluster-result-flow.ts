/**
 * Coordinator side: where each result of a cluster run goes. Results stay in Redis, where
 * workers wrote them; the coordinator reads only leaves (into the run's ResultStore, as they
 * come) and what it saves, deletes a result once its last consumer ran (leaves stay until the
 * end), and puts a stored value that remote children need where they read it.
 */
import { InternalError } from '../errors.js';
import type { Node } from '../graph/node.js';
import type { RunEvent } from '../scheduler/run-events.js';
import type { StoredResults } from '../scheduler/stored-results.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import type { ClusterResults } from './cluster-results.js';
import type { ResultStore } from './result-store.js';
import { readStoredStep, saveStep } from './storage-steps.js';

export class ClusterResultFlow {
  readonly #plan: ExecutionPlan;
  readonly #results: ClusterResults;
  readonly #store: ResultStore;
  /** Consumers still to finish, per node: its result is deleted from Redis at 0. */
  readonly #remainingConsumers: Int32Array;
  /** Leaves' values on their way from Redis; awaited before the run ends. */
  readonly #fetches: Promise<void>[] = [];
  #fetchError: unknown;

  constructor(plan: ExecutionPlan, results: ClusterResults, store: ResultStore) {
    this.#plan = plan;
    this.#results = results;
    this.#store = store;
    this.#remainingConsumers = plan.consumerCounts();
  }

  /** Task node `index` ran on a worker: a leaf's value is read into the store. */
  taskSucceeded(index: number, nodeName: string): void {
    if (this.#plan.isLeaf[index] === 1) {
      this.#fetches.push(
        this.#results.fetch(index, nodeName).then(
          (value) => this.#store.store(index, value),
          (error: unknown) => {
            this.#fetchError ??= error;
          },
        ),
      );
    }
    this.consumed(index);
  }

  /** Node `index` ran: parents it was the last consumer of leave Redis (leaves stay until the end). */
  consumed(index: number): void {
    const plan = this.#plan;
    const released: number[] = [];
    for (const parent of plan.parentIndexes[index] as Int32Array) {
      if (--(this.#remainingConsumers[parent] as number) === 0 && plan.isLeaf[parent] === 0)
        released.push(parent);
    }
    this.#results.release(released);
  }

  /** Resolves once every leaf read so far is in the store (or failed: see {@link fetchFailure}). */
  leavesRead(): Promise<void> {
    return Promise.all(this.#fetches).then(() => undefined);
  }

  /** Why a leaf's value could not be read, if one could not. */
  fetchFailure(): Error | undefined {
    const error = this.#fetchError;
    if (error === undefined) return undefined;
    return error instanceof Error
      ? error
      : new InternalError(`could not read a leaf's result: ${String(error)}`);
  }

  /** Reads node `index`'s stored result; one that children on workers need is put in Redis for them. */
  async readStored(stored: StoredResults | undefined, index: number): Promise<RunEvent> {
    const node = this.#plan.nodes[index] as Node;
    const event = await readStoredStep(stored, node, index, this.#store);
    if (event.kind === 'stored-found' && (this.#plan.childIndexes[index] as Int32Array).length > 0) {
      try {
        await this.#results.upload(index, this.#store.valueOf(index));
      } catch (error) {
        return { kind: 'stored-failed', index, error };
      }
    }
    return event;
  }

  /** Saves a computed result: read back from Redis, then written to the storage here. */
  async save(stored: StoredResults | undefined, index: number): Promise<RunEvent> {
    const node = this.#plan.nodes[index] as Node;
    try {
      const value = await this.#results.fetch(index, node.name);
      return await saveStep(stored, node, index, value, undefined, this.#store);
    } catch (error) {
      return { kind: 'save-failed', index, error };
    }
  }
}
