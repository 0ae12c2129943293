/**
 * Worker side: run one node. Everything that can go wrong becomes a failed outcome for this
 * node alone, so one bad node in a batch does not take its neighbours down.
 */
import { InternalError, UncloneableValueError } from '../errors.js';
import { callCallable, callWithPlugin } from '../executor/call-node.js';
import { type NodeContext, nodeContextStorage } from '../plugins/node-context.js';
import type { Plugin } from '../plugins/plugin.js';
import { inspectValue, maxNestingDepth } from '../util/inspect-value.js';
import { isThenable } from '../util/thenable.js';
import type { WorkerJob } from './batch-wire.js';
import { leaveForCollection } from './idle-collection.js';
import { loadDefinition, loadedDefinition } from './load-definition.js';
import { type SerializedThrow, serializeThrown } from './serialized-error.js';
import { callAllocatingShared } from './shared-allocation.js';
import { shareResultMemory } from './shared-result.js';
import { prepareSaveInWorker } from './worker-storage.js';

export type LocalOutcome =
  | {
      readonly ok: true;
      readonly value: unknown;
      readonly transferables: readonly ArrayBuffer[];
      /** The byte length of the shared memory the result holds or views (0: none). */
      readonly sharedBytes: number;
      /** The bytes a `shareResult` node's result had copied into shared memory (absent: none). */
      readonly copiedBytes?: number;
      /** What the storage's worker save step made of the result, when the job asked for it. */
      readonly preparedSave?: { readonly prepared: unknown };
    }
  | { readonly ok: false; readonly error: SerializedThrow };

/**
 * Runs `job` with `args` (its own arguments: copied when its batch shares them, see NodeJob.isolate). `plugins` are the batch's plugins, rebuilt once per batch; a plugin that failed
 * to rebuild fails only the jobs that use it.
 */
export function runJob(
  job: WorkerJob,
  args: readonly unknown[],
  plugins: readonly Promise<Plugin>[],
): LocalOutcome | Promise<LocalOutcome> {
  // The common job (its task loaded, no plugin, nothing to save, a plain function) runs here
  // and now: a promise per job cost more than a quick task's call.
  const loaded =
    job.plugin === undefined && job.save === undefined ? loadedDefinition(job.moduleUrl, job.key) : undefined;
  if (loaded?.kind !== 'task') return runJobInTurn(job, args, plugins);
  try {
    const value = callTask(job, () => callCallable(loaded, args, undefined));
    if (isThenable(value)) return runJobInTurn(job, args, plugins, value);
    return sharedOutcome(job, value);
  } catch (error) {
    return { ok: false, error: serializeThrown(error) };
  }
}

/**
 * {@link runJob} for any job: loads its task, awaits its plugin, runs the save step.
 * `called` is the promise a call already made returned (the call is not made again).
 */
async function runJobInTurn(
  job: WorkerJob,
  args: readonly unknown[],
  plugins: readonly Promise<Plugin>[],
  called?: PromiseLike<unknown>,
): Promise<LocalOutcome> {
  try {
    // The registry answers at once after the first job; only a first load waits for import().
    const definition =
      loadedDefinition(job.moduleUrl, job.key) ?? (await loadDefinition(job.moduleUrl, job.key));
    if (definition.kind !== 'task') {
      throw new InternalError(`${job.key} in ${job.moduleUrl} is an actor class, sent to a task worker`);
    }
    let value: unknown;
    if (called !== undefined) value = await called;
    else if (job.plugin === undefined) {
      value = callTask(job, () => callCallable(definition, args, undefined));
      if (isThenable(value)) value = await value;
    } else {
      const { spec, payload } = job.plugin;
      const plugin = await (plugins[spec] as Promise<Plugin>);
      value = callTask(job, () =>
        callWithPlugin(job.nodeName, { plugin, payload }, () => callCallable(definition, args, undefined)),
      );
      if (isThenable(value)) value = await value;
    }
    // Shared before the save step, so a record that views the result views the shared memory.
    const checked = sharedOutcome(job, value);
    if (!checked.ok || job.save === undefined) return checked;
    // Prepared before the reply moves the result's buffers out of this thread; what it makes may
    // view those buffers (FileStorage's raw parts do) and travel in the same message, so they arrive viewing the same memory.
    const { prepared, transferList } = await prepareSaveInWorker(job.save, job.nodeName, checked.value);
    return {
      ...checked,
      preparedSave: { prepared },
      transferables: [...checked.transferables, ...transferList],
    };
  } catch (error) {
    return { ok: false, error: serializeThrown(error) };
  }
}

/**
 * Calls the node's task in the node's context, so that an exception thrown later by what the
 * call starts (a timer, a promise) is known to be this node's (left-behind-errors.ts); a
 * `shareResult` node's has its large typed arrays made in shared memory as it goes
 * (shared-allocation.ts), so that its result has nothing left to copy.
 */
function callTask(job: WorkerJob, call: () => unknown): unknown {
  const allocating = job.shareResult === true ? callAllocatingShared : callNow;
  // A plugin's call runs in a context of the node's already (callWithPlugin): not twice.
  if (job.plugin !== undefined) return allocating(call);
  const context: NodeContext = { nodeName: job.nodeName };
  return nodeContextStorage.run(context, allocating, call);
}

function callNow(call: () => unknown): unknown {
  return call();
}

/**
 * The checked outcome of a result as its consumers get it: in shared memory when the node asks
 * (shared-result.ts), with how much it copied there, so the main thread knows whether to make
 * memory ahead of the next run's copy (drivers/warm-targets.ts). The ordinary memory the copy
 * was made from is left for the thread's idle collection.
 */
function sharedOutcome(job: WorkerJob, value: unknown): LocalOutcome {
  if (job.shareResult !== true) return checkedResult(job.nodeName, value);
  let copiedBytes = 0;
  const shared = shareResultMemory(value, job.warmTarget, (bytes) => {
    copiedBytes += bytes;
    leaveForCollection(bytes);
  });
  const checked = checkedResult(job.nodeName, shared);
  return checked.ok && copiedBytes > 0 ? { ...checked, copiedBytes } : checked;
}

/** The result and its movable buffers, or a failure saying where an uncloneable part sits. */
export function checkedResult(nodeName: string, value: unknown): LocalOutcome {
  const { transferables, problem, sharedBytes } = inspectValue(value, true);
  if (problem?.kind === 'nested-too-deeply') {
    const error = new UncloneableValueError(
      `The result of node "${nodeName}" is nested too deeply to be sent between threads: more than ` +
        `${maxNestingDepth} levels of arrays, objects, Maps or Sets inside one another, deeper than structured ` +
        'cloning can carry without overflowing the stack. Return flatter data (a typed array, or records that ' +
        'refer to each other by index).',
    );
    return { ok: false, error: serializeThrown(error) };
  }
  if (problem !== undefined) {
    const error = new UncloneableValueError(
      `The result of node "${nodeName}" cannot be sent between threads: result${problem.path} is ${problem.description}. ` +
        'Return plain data (numbers, strings, arrays, plain objects, typed arrays, Map, Set, Date...).',
    );
    return { ok: false, error: serializeThrown(error) };
  }
  return { ok: true, value, transferables, sharedBytes };
}
