/**
 * The start of every run, on every backend, in one order: check the run's options, refuse to
 * run inside a worker, take the workflow's plan, plugins and options, open the storage and list
 * what it holds, then build the run core. A backend adds only its driver.
 */

import type { Node } from '../graph/node.js';
import { NodeKeys } from '../keys/node-keys.js';
import type { PreparedPlugin } from '../plugins/plugin.js';
import type { WorkflowRunInputs } from '../workflow/base-workflow.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import { type RunOptions, resolveRunOptions } from '../workflow/run-options.js';
import { refuseWorkflowInWorker } from '../workflow/worker-guard.js';
import { RunCore } from './run-core.js';
import { RunOutcomes } from './run-outcomes.js';
import { RunTimings } from './run-timings.js';
import { StoredResults } from './stored-results.js';

/** One run, ready to be driven. */
export interface PreparedRun {
  readonly workflowName: string;
  readonly plan: ExecutionPlan;
  readonly core: RunCore;
  readonly signal: AbortSignal | undefined;
  readonly nodeOptions: readonly ResolvedNodeOptions[];
  /** Every node has the default options: no retries, timeout or priority anywhere. */
  readonly optionsAreDefault: boolean;
  /** Each node's plugin and payload, by plan index. */
  readonly plugins: readonly (PreparedPlugin | undefined)[];
  /** How the run uses its storage, when it has one. */
  readonly stored: StoredResults | undefined;
  readonly timings: RunTimings;
}

/**
 * Prepares a run. `inputs` is called after the options were checked, so that bad options
 * start no plugin; `beforeStart` (a backend's own preparation, which may refuse the run) runs
 * before the run is announced, so a refused run reports nothing.
 */
export async function prepareRun(
  workflowName: string,
  options: RunOptions | undefined,
  inputs: () => WorkflowRunInputs,
  beforeStart?: (inputs: WorkflowRunInputs) => Promise<void>,
): Promise<PreparedRun> {
  const { failFast, signal } = resolveRunOptions(options);
  refuseWorkflowInWorker(workflowName);
  const given = inputs();
  const { plan, plugins, nodeOptions, storage, storageOptions, loggedNodes, events } = given;
  const optionsAreDefault = given.optionsAreDefault === true;
  await beforeStart?.(given);
  let stored: StoredResults | undefined;
  if (storage !== undefined) {
    // Keys are computed while the storage is opened and listed: both wait on the disk.
    const [keys] = await Promise.all([
      NodeKeys.compute(plan.nodes, plan.parentIndexes, plugins),
      storage.newWorkflow(workflowName),
    ]);
    stored = new StoredResults(storage, {
      workflowName,
      plan,
      neverStored: loggedNodes,
      keys,
      trust: storageOptions.trust,
      events,
    });
    await stored.prepare();
  }
  const outcomes = new RunOutcomes(plan, workflowName, failFast, events);
  const timings = new RunTimings(events, plan.nodes.length);
  const nodeAt = (index: number) => plan.nodes[index] as Node;
  const count = nodeOptions.length;
  const retries = new Uint32Array(count);
  const retryDelays = new Float64Array(count);
  const priorities = new Float64Array(count);
  // Default options are all zeros, which new typed arrays already are.
  for (let index = 0; !optionsAreDefault && index < count; index++) {
    const each = nodeOptions[index] as ResolvedNodeOptions;
    retries[index] = each.retries;
    retryDelays[index] = each.retryDelay;
    priorities[index] = each.priority;
  }
  const core = new RunCore({
    plan,
    outcomes,
    timings,
    retries,
    retryDelays,
    priorities,
    noPriorities: optionsAreDefault,
    mayBeStored: stored === undefined ? undefined : (index) => stored.mayHold(nodeAt(index)),
    isSaved: stored === undefined ? undefined : (index) => stored.isCached(nodeAt(index)),
  });
  return { workflowName, plan, core, signal, nodeOptions, optionsAreDefault, plugins, stored, timings };
}
