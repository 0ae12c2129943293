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
const globalScope = globalThis as {
  [loadingModuleKey]?: string | undefined;
  [refusalsKey]?: Map<string, WorkflowInWorkerError>;
};

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
