import type { PreparedRun } from '../scheduler/run-setup.js';
import { prepareRun } from '../scheduler/run-setup.js';
import { preparePluginCalls } from '../threads/remote-plugin.js';
import type { WorkflowRunInputs } from '../workflow/base-workflow.js';
import type { RunOptions } from '../workflow/run-options.js';
import { refuseThreadsInWorker } from '../workflow/worker-guard.js';

/** Each node's plugin described for a worker, by plan index (see preparePluginCalls). */
export type PluginCalls = Awaited<ReturnType<typeof preparePluginCalls>>;

/**
 * prepareRun for a backend whose nodes run in other threads or processes: every node's plugin
 * is described for the workers first, so a plugin that cannot be sent refuses the run before it
 * is announced.
 */
export async function prepareRemoteRun(
  workflowName: string,
  backend: string,
  options: RunOptions | undefined,
  inputs: () => WorkflowRunInputs,
): Promise<{ readonly run: PreparedRun; readonly pluginCalls: PluginCalls }> {
  refuseThreadsInWorker(workflowName, backend);
  let pluginCalls: PluginCalls = [];
  const run = await prepareRun(workflowName, options, inputs, async ({ plan, plugins }) => {
    pluginCalls = await preparePluginCalls(plan.nodes, plugins);
  });
  return { run, pluginCalls };
}
