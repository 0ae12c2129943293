import { WorkflowInWorkerError } from '../errors.js';

/**
 * Set by functionfuse's worker threads while they import a task module. A workflow that starts
 * then was started by that module's top-level code, and would re-run the pipeline in every
 * worker.
 */
const loadingModuleKey = Symbol.for('functionfuse.workerLoadingModule');
const globalScope = globalThis as { [loadingModuleKey]?: string | undefined };

export function markWorkerImport(moduleUrl: string | undefined): void {
  globalScope[loadingModuleKey] = moduleUrl;
}

export function refuseWorkflowInWorker(workflowName: string): void {
  const moduleUrl = globalScope[loadingModuleKey];
  if (moduleUrl === undefined) return;
  throw new WorkflowInWorkerError(
    `Workflow "${workflowName}" was started while a worker thread imported ${moduleUrl} to find a task. ` +
      'That module both defines tasks and runs a workflow when imported, so every worker would run the ' +
      'pipeline again. Move the tasks to a module of their own and import them from the script that runs the workflow.',
  );
}
