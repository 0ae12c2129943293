import type { ArgumentSlot } from '../cluster/cluster-messages.js';
import { FunctionFuseError, UncloneableValueError } from '../errors.js';
import type { TaskDefinition } from '../graph/callable.js';
import { type Node, Ref } from '../graph/node.js';
import type { NodeJob, RemotePluginCall, WorkerSaveRequest } from '../threads/messages.js';
import { inspectValue } from '../util/inspect-value.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import type { ResultStore } from './result-store.js';

/**
 * Inputs moving more bytes than this make a node go to a worker alone, so they are moved
 * rather than copied (batched jobs are copied, to be resendable after a crash).
 */
const soloTransferBytes = 1024 * 1024;

/** A task node ready to send: its job, with what the scheduler needs to send it (again). */
export interface PreparedJob {
  readonly index: number;
  readonly nodeName: string;
  /** The job, with its plugin's full spec (a batch replaces it with an index into its list). */
  readonly job: Omit<NodeJob, 'plugin'> & { readonly plugin?: RemotePluginCall };
  /** Buffers that move with the job when it is sent alone. */
  readonly transferList: readonly ArrayBuffer[];
  /** Must be sent alone: it has a timeout, or large buffers to move. */
  readonly solo: boolean;
  readonly timeoutMs: number | undefined;
  readonly retries: number;
  readonly retryDelayMs: number;
  /**
   * Set for a chained job (chained-job.ts): the spots its parents in the batch fill, by plan
   * index. Such a job runs only after them, in the same batch.
   */
  readonly chainedSlots?: readonly ChainedSlot[];
}

/** A spot of a chained job's arguments that a parent in its batch fills (its name is not needed). */
export type ChainedSlot = Omit<ArgumentSlot, 'parentName'>;

/**
 * Resolves a task node's arguments and decides how it travels. A node that may be retried
 * keeps its arguments: nothing is moved, so every attempt gets the same inputs.
 */
export function prepareTaskJob(
  node: Node,
  index: number,
  store: ResultStore,
  options: ResolvedNodeOptions,
  plugin: RemotePluginCall | undefined,
  save: WorkerSaveRequest | undefined,
): PreparedJob {
  const module = taskModuleOf(node, 'worker threads'); // refuses, before any result is released, a task no worker can load
  checkPlainArguments(node);
  // Only parents' results can move: a node without parents moves nothing.
  const transfers = options.retries === 0 && node.parentCount > 0 ? new Set<ArrayBuffer>() : undefined;
  const args = store.argumentsFor(index, transfers);
  const transferList = transfers === undefined || transfers.size === 0 ? noBuffers : [...transfers];
  let transferBytes = 0;
  for (const buffer of transferList) transferBytes += buffer.byteLength;
  const nodeName = node.name;
  return {
    index,
    nodeName,
    job: jobOf(nodeName, module, args, options, plugin, save, store.sharedInputsOf(index)),
    transferList,
    solo: options.timeout !== undefined || transferBytes > soloTransferBytes,
    timeoutMs: options.timeout,
    retries: options.retries,
    retryDelayMs: options.retryDelay,
  };
}

const noBuffers: readonly ArrayBuffer[] = [];

/** The job that runs a task node with `args`, as a worker thread reads it (made for every node: no spreads). */
export function jobOf(
  nodeName: string,
  module: { readonly moduleUrl: string; readonly key: string },
  args: readonly unknown[],
  options: ResolvedNodeOptions,
  plugin: RemotePluginCall | undefined,
  save: WorkerSaveRequest | undefined,
  sharedInputs: readonly number[] | undefined,
): PreparedJob['job'] {
  const job: { -readonly [K in keyof PreparedJob['job']]: PreparedJob['job'][K] } = {
    nodeName,
    moduleUrl: module.moduleUrl,
    key: module.key,
    args,
  };
  if (plugin !== undefined) job.plugin = plugin;
  if (save !== undefined) job.save = save;
  if (options.shareResult) job.shareResult = true;
  if (sharedInputs !== undefined) job.sharedInputs = sharedInputs;
  return job;
}

/**
 * The module and key a worker loads task node `node` from; refused, naming the task, when
 * task() could not tell its module.
 *
 * @param loaders Who must load it, for the message: `worker threads`, `cluster workers`.
 */
export function taskModuleOf(
  node: Node,
  loaders: string,
): { readonly moduleUrl: string; readonly key: string } {
  const definition = node.callable as TaskDefinition;
  const { moduleUrl, key } = definition.location;
  if (moduleUrl === undefined) {
    throw new FunctionFuseError(
      `Task "${definition.baseName}" has no known module, so ${loaders} cannot load it: ` +
        'pass { module: import.meta.url } to task().',
    );
  }
  return { moduleUrl, key };
}

/** Refuses plain argument values that cannot reach a worker, naming the node and the spot. */
export function checkPlainArguments(node: Node): void {
  if (node.argumentsAreParents) return; // every argument is a node
  const count = node.argumentCount;
  for (let position = 0; position < count; position++) {
    const arg = node.argumentAt(position);
    if (arg instanceof Ref || arg === null || (typeof arg !== 'object' && typeof arg !== 'function'))
      continue;
    const { problem } = inspectValue(arg, false, (value) => value instanceof Ref);
    if (problem !== undefined) {
      throw new UncloneableValueError(
        `Argument ${position + 1} of node "${node.name}" cannot be sent to a worker thread: ` +
          `args[${position}]${problem.path} is ${problem.description}.`,
      );
    }
  }
}
