/**
 * Worker side of storage: when the run's storage has a worker save step (Storage.workerSaveStep),
 * the worker that computed a result runs it (the CPU part of a save, done where the value is),
 * and the main thread hands what it made to the storage while this worker goes on with its
 * next node. The step is the storage's own code, found by module and export: this file knows
 * nothing of any storage's format.
 */
import type { PreparedSave, PrepareSave, WorkerSaveRequest, WorkerSaveStep } from '../storage/storage.js';
import { loadModule } from './load-definition.js';

const steps = new Map<string, Promise<PrepareSave>>();

/** Runs the storage's save step on a node's result. Throws what the step throws. */
export async function prepareSaveInWorker(
  request: WorkerSaveRequest,
  nodeName: string,
  value: unknown,
): Promise<PreparedSave> {
  const prepare = await saveStepOf(request);
  return prepare(
    request.workflowName,
    nodeName,
    value,
    request.cacheKey === undefined ? undefined : { cacheKey: request.cacheKey },
  );
}

function saveStepOf(step: WorkerSaveStep): Promise<PrepareSave> {
  const key = `${step.moduleUrl}#${step.exportName}`;
  let found = steps.get(key);
  if (found === undefined) {
    found = loadModule(step.moduleUrl).then((namespace) => {
      const prepare = namespace[step.exportName];
      if (typeof prepare !== 'function') {
        throw new TypeError(
          `The storage's worker save step ${step.exportName} was not found in ${step.moduleUrl}: ` +
            'workerSaveStep must name a function that module exports.',
        );
      }
      return prepare as PrepareSave;
    });
    steps.set(key, found);
  }
  return found;
}
