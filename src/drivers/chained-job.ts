/**
 * A chained job: a quick node sent in the same batch as parents that have not run yet, so a
 * worker runs a chain of quick nodes without a round trip to the main thread per node. Its
 * arguments are a template: results known here are in place, those of parents in the batch are
 * slots the worker fills (see composeBatch). Nothing is released or moved: the node may still
 * come back to the main thread's queue (a parent failed and goes again, the worker was lost),
 * and then it is prepared as any ready node.
 */
import type { Node } from '../graph/node.js';
import type { RemotePluginCall } from '../threads/messages.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import { checkPlainArguments, type PreparedJob, taskModuleOf } from './prepared-job.js';
import { argumentTemplate } from './remote-arguments.js';
import type { ResultStore } from './result-store.js';

/**
 * The job of node `index`, to run after the jobs of the batch it names in `inBatch` (plan index
 * to batch position). Throws when the node cannot go to a worker; the caller leaves it for its
 * turn, where the refusal is reported.
 */
export function prepareChainedJob(
  node: Node,
  index: number,
  plan: ExecutionPlan,
  store: ResultStore,
  options: ResolvedNodeOptions,
  plugin: RemotePluginCall | undefined,
  inBatch: ReadonlyMap<number, number>,
): PreparedJob {
  const { moduleUrl, key } = taskModuleOf(node, 'worker threads');
  checkPlainArguments(node);
  const { args, slots } = argumentTemplate(node, plan, (parent) =>
    inBatch.has(parent) ? undefined : { value: store.valueOf(parent) },
  );
  return {
    index,
    nodeName: node.name,
    job: {
      nodeName: node.name,
      moduleUrl,
      key,
      args,
      ...(plugin === undefined ? {} : { plugin }),
      ...(options.shareResult ? { shareResult: true as const } : {}),
    },
    transferList: [],
    solo: false,
    timeoutMs: undefined,
    retries: options.retries,
    retryDelayMs: options.retryDelay,
    chainedSlots: slots,
  };
}
