import { isMainThread } from 'node:worker_threads';
import { WorkflowInWorkerError } from '../errors.js';

/**
 * Set by functionfuse's worker threads while they import a task module. A workflow that starts
 * then was started by that module's top-level code, and would re-run the pipeline in every
 * worker.
 */
const loadingModuleKey = Symbol.for('functionfuse.workerLoadingModule');
/**
 * The refusal of each module that started a workflow as a worker imported it. The module may
 * have caught it (`main().catch(...)`, a try around `run()`) and imported fine: its tasks must
 * not run anyway, since the worker has run the script a second time.
 */
const refusalsKey = Symbol.for('functionfuse.workerImportRefusals');
/** Set once in each of functionfuse's worker threads (workers/task-worker.ts, workers/actor-host.ts). */
const workerThreadKey = Symbol.for('functionfuse.workerThread');
const globalScope = globalThis as {
  [loadingModuleKey]?: string | undefined;
  [refusalsKey]?: Map<string, WorkflowInWorkerError>;
  [workerThreadKey]?: true;
};

/** Marks this thread as one of functionfuse's workers, a task pool's or an actor host (see {@link refuseThreadsInWorker}). */
export function markWorkerThread(): void {
  // The entry imported in a main thread (a test of the worker's handler) marks nothing.
  if (!isMainThread) globalScope[workerThreadKey] = true;
}

/**
 * Refuses a ThreadWorkflow or BullMQWorkflow started in one of functionfuse's worker threads,
 * at any time. A script that defines tasks and starts its workflow after an await (in
 * `main()`) passes the import-time check: the worker imports it to find a task, the import
 * ends, and main() goes on in the worker when its event loop next turns. Its workflow would
 * start a pool inside a pool's thread, whose threads would import the script again. A task that
 * starts such a workflow itself would oversubscribe the cores the same way. A LocalWorkflow
 * inside a task runs in that task's thread and is allowed.
 */
export function refuseThreadsInWorker(workflowName: string, backend: string): void {
  // Started by the module a worker is importing: that refusal, which fails the module's tasks.
  refuseWorkflowInWorker(workflowName);
  if (globalScope[workerThreadKey] !== true) return;
  throw new WorkflowInWorkerError(
    `${backend} "${workflowName}" was started in one of functionfuse's worker threads, which run the nodes ` +
      'of another workflow: it would start a pool of threads inside a thread of a pool. A script that defines ' +
      'tasks and runs a workflow after an await is run again by each worker that imports it to find a task. ' +
      'Move the tasks to a module of their own and import them from the script that runs the workflow; ' +
      'a task may run a LocalWorkflow of its own.',
  );
}

export function markWorkerImport(moduleUrl: string | undefined): void {
  globalScope[loadingModuleKey] = moduleUrl;
}

/** The WorkflowInWorkerError a worker's import of `moduleUrl` met, if it started a workflow. */
export function refusalDuringImport(moduleUrl: string): WorkflowInWorkerError | undefined {
  return globalScope[refusalsKey]?.get(moduleUrl);
}

export function refuseWorkflowInWorker(workflowName: string): void {
  const moduleUrl = globalScope[loadingModuleKey];
  if (moduleUrl === undefined) return;
  const refusal = new WorkflowInWorkerError(
    `Workflow "${workflowName}" was started while a worker thread imported ${moduleUrl} to find a task. ` +
      'That module both defines tasks and runs a workflow when imported, so every worker would run the ' +
      'pipeline again. Move the tasks to a module of their own and import them from the script that runs the workflow.',
  );
  globalScope[refusalsKey] ??= new Map();
  if (!globalScope[refusalsKey].has(moduleUrl)) globalScope[refusalsKey].set(moduleUrl, refusal);
  throw refusal;
}
