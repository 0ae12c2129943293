/**
 * A chained job: a quick node sent in the same batch as parents that have not run yet, so a
 * worker runs a chain of quick nodes without a round trip to the main thread per node. Its
 * arguments are a template: results known here are in place, those of parents in the batch are
 * slots the worker fills (see composeBatch). Nothing is released or moved: the node may still
 * come back to the main thread's queue (a parent failed and goes again, the worker was lost),
 * and then it is prepared as any ready node.
 */
import type { Node } from '../graph/node.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import type { RemotePluginCall } from '../threads/messages.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import type { ChainedSlot } from './prepared-job.js';
import { checkPlainArguments, jobOf, type PreparedJob, taskModuleOf } from './prepared-job.js';
import type { Chaining } from './ready-batches.js';
import { argumentTemplate } from './remote-arguments.js';
import type { ResultStore } from './result-store.js';

/**
 * Which nodes of a ThreadWorkflow run may be chained, and their jobs. A chained node is a task
 * with no retries, no timeout and nothing stored (its parents' results come from the batch, so
 * it could not be sent again on its own, and a stored result is looked up first); a node is
 * chained after only when it is a task with no retries whose result is not saved before its
 * children run. `alone` are nodes of batches that lost their worker: they go alone from now on.
 */
export function threadChaining(
  run: PreparedRun,
  store: ResultStore,
  pluginCalls: readonly (RemotePluginCall | undefined)[],
  alone: ReadonlySet<number>,
): Chaining<PreparedJob> {
  const { nodeOptions, stored, plan } = run;
  const mayRunAfterParents = (index: number): boolean => {
    const options = nodeOptions[index] as ResolvedNodeOptions;
    if (options.retries !== 0 || options.timeout !== undefined || plan.isTask[index] !== 1) return false;
    if (stored?.mayHold(plan.nodes[index] as Node) === true) return false;
    // A task never takes an actor's object on threads: refused in its turn, with the reason.
    const end = plan.parentStart[index + 1] as number;
    for (let edge = plan.parentStart[index] as number; edge < end; edge++) {
      if ((plan.nodes[plan.parentList[edge] as number] as Node).callable.kind === 'actor-init') return false;
    }
    return true;
  };
  const mayBeFollowed = (index: number): boolean =>
    (nodeOptions[index] as ResolvedNodeOptions).retries === 0 &&
    plan.isTask[index] === 1 &&
    (stored === undefined || !stored.isCached(plan.nodes[index] as Node));
  // Both answers depend only on the run's options and storage: each node's are found once,
  // when first asked (bit 1: known, 2: may run chained, 4: may be chained after).
  const rules = new Uint8Array(plan.nodes.length);
  const rulesOf = (index: number): number => {
    let known = rules[index] as number;
    if (known === 0) {
      known = 1 | (mayRunAfterParents(index) ? 2 : 0) | (mayBeFollowed(index) ? 4 : 0);
      rules[index] = known;
    }
    return known;
  };
  return {
    mayRunChained: (index) => (rulesOf(index) & 2) !== 0 && !alone.has(index),
    mayChainAfter: (index) => (rulesOf(index) & 4) !== 0,
    prepareChained(index, inBatch) {
      try {
        return prepareChainedJob(
          plan.nodes[index] as Node,
          index,
          plan,
          store,
          nodeOptions[index] as ResolvedNodeOptions,
          pluginCalls[index],
          inBatch,
        );
      } catch {
        return undefined; // refused in its turn, where the refusal is reported
      }
    },
  };
}

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
  const module = taskModuleOf(node, 'worker threads'); // refuses, before anything is read, a task no worker can load
  checkPlainArguments(node);
  const { args, slots } = node.argumentsAreParents
    ? parentsTemplate(index, plan, store, inBatch) // whole results: no item paths
    : itemTemplate(node, plan, store, inBatch);
  const nodeName = node.name;
  return {
    index,
    nodeName,
    job: jobOf(nodeName, module, args, options, plugin, undefined, store.sharedInputsOf(index)),
    transferList: [],
    solo: false,
    timeoutMs: undefined,
    retries: options.retries,
    retryDelayMs: options.retryDelay,
    chainedSlots: slots,
  };
}

/** argumentTemplate's template, for a node whose arguments hold items or containers of references. */
function itemTemplate(
  node: Node,
  plan: ExecutionPlan,
  store: ResultStore,
  inBatch: ReadonlyMap<number, number>,
): { readonly args: readonly unknown[]; readonly slots: readonly ChainedSlot[] } {
  const template = argumentTemplate(node, plan, (parent) =>
    inBatch.has(parent) ? undefined : { value: store.valueOf(parent) },
  );
  // A symbol cannot travel to a worker; such an item is read here, when its parent is done.
  if (template.slots.some((slot) => slot.path.some((key) => typeof key === 'symbol')))
    throw new TypeError(`Node "${node.name}" reads a symbol-keyed item of a parent: it is not chained`);
  return template;
}

const noPath: readonly PropertyKey[] = [];

/**
 * The template of a node whose arguments are its parents themselves, in order (the usual
 * chain): argumentTemplate's result, read from the plan's parent list without a walk.
 */
function parentsTemplate(
  index: number,
  plan: ExecutionPlan,
  store: ResultStore,
  inBatch: ReadonlyMap<number, number>,
): { readonly args: readonly unknown[]; readonly slots: readonly ChainedSlot[] } {
  const start = plan.parentStart[index] as number;
  const count = (plan.parentStart[index + 1] as number) - start;
  const args = new Array<unknown>(count);
  const slots: ChainedSlot[] = [];
  for (let position = 0; position < count; position++) {
    const parent = plan.parentList[start + position] as number;
    if (inBatch.has(parent)) slots.push({ at: [position], parent, path: noPath });
    else args[position] = store.valueOf(parent);
  }
  return { args, slots };
}
