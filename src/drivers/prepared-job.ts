import { FunctionFuseError, UncloneableValueError } from '../errors.js';
import type { TaskDefinition } from '../graph/callable.js';
import { type Node, Ref } from '../graph/node.js';
import { inspectValue } from '../threads/inspect-value.js';
import type { JobBatch, NodeJob, RemotePluginCall, WorkerSaveRequest } from '../threads/messages.js';
import type { RemotePluginSpec } from '../threads/remote-plugin.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import type { ExecutionPlan } from '../workflow/plan.js';
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
}

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
  const { moduleUrl, key } = taskModuleOf(node, 'worker threads');
  checkPlainArguments(node);
  const transfers = new Set<ArrayBuffer>();
  const args = store.argumentsFor(index, options.retries === 0 ? transfers : undefined);
  const transferList = [...transfers];
  const transferBytes = transferList.reduce((total, buffer) => total + buffer.byteLength, 0);
  return {
    index,
    nodeName: node.name,
    job: {
      nodeName: node.name,
      moduleUrl,
      key,
      args,
      ...(plugin === undefined ? {} : { plugin }),
      ...(save === undefined ? {} : { save }),
      ...(options.shareResult ? { shareResult: true as const } : {}),
    },
    transferList,
    solo: options.timeout !== undefined || transferBytes > soloTransferBytes,
    timeoutMs: options.timeout,
    retries: options.retries,
    retryDelayMs: options.retryDelay,
  };
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
  node.args.forEach((arg, position) => {
    if (arg instanceof Ref || arg === null || (typeof arg !== 'object' && typeof arg !== 'function')) return;
    const { problem } = inspectValue(arg, false, (value) => value instanceof Ref);
    if (problem !== undefined) {
      throw new UncloneableValueError(
        `Argument ${position + 1} of node "${node.name}" cannot be sent to a worker thread: ` +
          `args[${position}]${problem.path} is ${problem.description}.`,
      );
    }
  });
}

/** One message to a worker, and how to send it. */
export interface ComposedBatch {
  readonly message: JobBatch;
  /** Buffers moved with the message: only a lone job moves its buffers (see thread-run.ts). */
  readonly transferList: readonly ArrayBuffer[];
  /** The lone job's timeout, if any: batches of several jobs have none. */
  readonly timeoutMs: number | undefined;
  readonly bytesMoved: number;
}

/**
 * The message that carries `batch` to a worker. Each plugin spec is sent once. One message
 * carries one copy of an object however many jobs hold it, so a job that shares inputs with an
 * earlier job of its batch is marked to get its own copy in the worker: no consumer can see
 * another's mutations.
 */
export function composeBatch(batch: readonly PreparedJob[], plan: ExecutionPlan): ComposedBatch {
  const plugins = new Map<RemotePluginSpec, number>();
  const parentsSoFar = new Set<number>();
  const jobs = batch.map((prepared): NodeJob => {
    const { plugin, ...rest } = prepared.job;
    const job =
      batch.length > 1 && sharesInputs(prepared, plan, parentsSoFar) ? { ...rest, isolate: true } : rest;
    if (plugin === undefined) return job;
    let spec = plugins.get(plugin.spec);
    if (spec === undefined) {
      spec = plugins.size;
      plugins.set(plugin.spec, spec);
    }
    return { ...job, plugin: { spec, payload: plugin.payload } };
  });
  const lone = batch.length === 1 ? (batch[0] as PreparedJob) : undefined;
  const transferList = lone?.transferList ?? [];
  return {
    message: { kind: 'batch', jobs, plugins: [...plugins.keys()] },
    transferList,
    timeoutMs: lone?.timeoutMs,
    bytesMoved: transferList.reduce((total, buffer) => total + buffer.byteLength, 0),
  };
}

/** Whether the job may hold an object an earlier job of the batch holds too. */
function sharesInputs(prepared: PreparedJob, plan: ExecutionPlan, parentsSoFar: Set<number>): boolean {
  const node = plan.nodes[prepared.index] as Node;
  let shares = node.args.some((arg) => typeof arg === 'object' && arg !== null && !(arg instanceof Ref));
  for (const parent of plan.parentIndexes[prepared.index] as Int32Array) {
    if (parentsSoFar.has(parent)) shares = true;
    parentsSoFar.add(parent);
  }
  return shares;
}
