/**
 * A driver's two storage steps, the same on every backend: read a node's stored result, or save
 * the one it computed. Each keeps the value children will get in the run's ResultStore and
 * resolves to the event the driver tells the run core; a storage failure becomes that event,
 * never a rejection.
 */
import type { Node } from '../graph/node.js';
import type { RunEvent } from '../scheduler/run-events.js';
import type { StoredResults } from '../scheduler/stored-results.js';
import type { ResultStore } from './result-store.js';

/** Reads node `index`'s stored result: stored-found (its value kept), stored-missing or stored-failed. */
export async function readStoredStep(
  stored: StoredResults | undefined,
  node: Node,
  index: number,
  store: ResultStore,
): Promise<RunEvent> {
  try {
    const lookup = stored === undefined ? undefined : await stored.read(node);
    if (lookup?.found !== true) return { kind: 'stored-missing', index };
    store.store(index, lookup.value);
    return { kind: 'stored-found', index };
  } catch (error) {
    return { kind: 'stored-failed', index, error };
  }
}

/**
 * Saves node `index`'s computed result (handing over what its worker's save step made of it,
 * when there is that), then keeps what its children get: with `alwaysRead`, the stored copy.
 * Resolves to saved or save-failed.
 */
export async function saveStep(
  stored: StoredResults | undefined,
  node: Node,
  index: number,
  value: unknown,
  preparedSave: { readonly prepared: unknown } | undefined,
  store: ResultStore,
): Promise<RunEvent> {
  try {
    const kept =
      stored === undefined
        ? value
        : preparedSave === undefined
          ? await stored.save(node, value)
          : await stored.savePrepared(node, value, preparedSave.prepared);
    store.store(index, kept);
    return { kind: 'saved', index };
  } catch (error) {
    return { kind: 'save-failed', index, error };
  }
}
