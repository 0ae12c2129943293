/**
 * Worker side of storage: the worker that computed a result saves it, so a large result is
 * serialised where it was made rather than in the main thread, which dispatches everything.
 */
import { FileStorage } from '../storage/file-storage.js';
import type { Storage, StorageForWorkers } from '../storage/storage.js';
import type { WorkerSave } from './messages.js';

const opened = new Map<string, Storage>();

function storageFor(description: StorageForWorkers): Storage {
  const key = `${description.kind}\u0000${description.path}\u0000${description.durable}`;
  let storage = opened.get(key);
  if (storage === undefined) {
    storage = new FileStorage(description.path, { durable: description.durable });
    opened.set(key, storage);
  }
  return storage;
}

/** Saves a node's result where the job says to. Resolves once it is durably stored. */
export function saveInWorker(save: WorkerSave, nodeName: string, value: unknown): Promise<void> {
  return storageFor(save.storage).save(save.workflowName, nodeName, value);
}
