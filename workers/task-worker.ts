/**
 * The Piscina worker entry: runs a batch of nodes one after another and sends back their
 * outcomes, moving typed-array buffers instead of copying them; or warms the thread up; or
 * collects the memory its jobs left, when the pool finds it idle. A
 * chained job takes results of earlier jobs of its batch; a result nothing outside the batch
 * reads is not sent back. Batches and outcomes travel packed (src/threads/batch-wire.ts).
 */
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import {
  isolateFlag,
  jobCount,
  keepInWorkerFlag,
  readJob,
  type WireBatch,
  type WorkerJob,
} from '../src/threads/batch-wire.js';
import { fillChained } from '../src/threads/chained-arguments.js';
import { collectWhileIdle, uncollectedBytes } from '../src/threads/idle-collection.js';
import { nameUncaughtErrorsByNode } from '../src/threads/left-behind-errors.js';
import type { Collected, WorkerRequest } from '../src/threads/messages.js';
import {
  failed,
  notRun,
  type OutcomeExtras,
  succeeded,
  type WireOutcomes,
} from '../src/threads/outcome-wire.js';
import { rebuildPlugin } from '../src/threads/remote-plugin.js';
import { runJob } from '../src/threads/run-job.js';
import { feelSharedInputs } from '../src/threads/shared-memory-pressure.js';
import { hasStartupBefore, startupBefore, warmUp } from '../src/threads/worker-startup.js';
import { isThenable } from '../src/util/thenable.js';
import { markWorkerThread } from '../src/workflow/worker-guard.js';

markWorkerThread();
nameUncaughtErrorsByNode();

export default function handle(request: WorkerRequest): Promise<unknown> {
  if (request.kind === 'collect') return collect();
  return request.kind === 'warm-up' ? warmUp(request) : runBatch(request);
}

/** Collects the memory this thread's jobs left (the pool found it idle). */
async function collect(): Promise<Collected> {
  await collectWhileIdle();
  return { threadId };
}

async function runBatch(batch: WireBatch): Promise<unknown> {
  const count = jobCount(batch);
  const jobs: WorkerJob[] = [];
  for (let position = 0; position < count; position++) {
    const job = readJob(batch, position);
    if (job.sharedInputs !== undefined) feelSharedInputs(job.sharedInputs);
    jobs.push(job);
  }
  const kinds = new Uint8Array(count);
  const values: unknown[] = [];
  const times = new Float64Array(count * 2);
  let extras: Record<number, OutcomeExtras> | undefined;
  const soFar = { values: new Array<unknown>(count), succeeded: new Uint8Array(count) };
  // A Set: two results may share a buffer, and a transfer list must not repeat one.
  const transferList = new Set<ArrayBuffer>();
  const plugins = batch.plugins.map((spec) => rebuildPlugin(spec));
  // A plugin that fails to rebuild is reported by the jobs that await it, not here.
  for (const plugin of plugins) plugin.catch(() => {});
  // Copies are taken before any job runs: a job that mutates a shared input must not reach the
  // copy of a later one.
  const argsOfJobs = jobs.map((job) =>
    (job.flags & isolateFlag) === 0 ? job.args : structuredClone(job.args),
  );
  for (const [position, job] of jobs.entries()) {
    let args: unknown[] | undefined = argsOfJobs[position] as unknown[];
    if (job.linksEnd > job.linksStart) args = fillChained(batch, job.linksStart, job.linksEnd, args, soFar);
    if (args === undefined) {
      kinds[position] = notRun;
      values.push(undefined);
      continue;
    }
    // The thread's start and the task module's import are timed on their own, not as the node's.
    const startup = hasStartupBefore(job.moduleUrl, job.key)
      ? await startupBefore(job.moduleUrl, job.key)
      : undefined;
    const started = performance.now();
    let outcome = runJob(job, args, plugins);
    if (isThenable(outcome)) outcome = await outcome;
    times[position * 2] = performance.timeOrigin + started;
    times[position * 2 + 1] = performance.now() - started;
    if (startup !== undefined) {
      extras ??= {};
      extras[position] = { startup };
    }
    if (!outcome.ok) {
      kinds[position] = failed;
      values.push(outcome.error);
      continue;
    }
    kinds[position] = succeeded;
    soFar.values[position] = outcome.value;
    soFar.succeeded[position] = 1;
    if ((job.flags & keepInWorkerFlag) !== 0) {
      values.push(undefined);
      continue;
    }
    values.push(outcome.value);
    for (const buffer of outcome.transferables) transferList.add(buffer);
    if (outcome.preparedSave !== undefined) {
      extras ??= {};
      extras[position] = { ...extras[position], preparedSave: outcome.preparedSave };
    }
    if (outcome.sharedBytes > 0) {
      extras ??= {};
      extras[position] = { ...extras[position], sharedBytes: outcome.sharedBytes };
    }
    if (outcome.copiedBytes !== undefined) {
      extras ??= {};
      extras[position] = { ...extras[position], copiedBytes: outcome.copiedBytes };
    }
  }
  const result: WireOutcomes = {
    threadId,
    kinds,
    values,
    times,
    extras,
    uncollectedBytes: uncollectedBytes(),
  };
  if (transferList.size === 0) return result;
  // move() marks the wrapper so Piscina sends `result` with the buffers moved, not copied.
  return move({ [transferableSymbol]: [...transferList], [valueSymbol]: result });
}
