/**
 * The Piscina worker entry: runs a batch of nodes one after another and sends back their
 * outcomes, moving typed-array buffers instead of copying them; or warms the thread up. A
 * chained job takes results of earlier jobs of its batch; a result nothing outside the batch
 * reads is not sent back.
 */
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { fillChained } from '../src/threads/chained-arguments.js';
import type { BatchResult, JobBatch, JobNotRun, JobOutcome, WorkerRequest } from '../src/threads/messages.js';
import { rebuildPlugin } from '../src/threads/remote-plugin.js';
import { runJob } from '../src/threads/run-job.js';
import { startupBefore, warmUp } from '../src/threads/worker-startup.js';

export default function handle(request: WorkerRequest): Promise<unknown> {
  return request.kind === 'warm-up' ? warmUp(request) : runBatch(request);
}

async function runBatch(batch: JobBatch): Promise<unknown> {
  const outcomes: (JobOutcome | JobNotRun)[] = [];
  const soFar = {
    values: new Array<unknown>(batch.jobs.length),
    succeeded: new Uint8Array(batch.jobs.length),
  };
  // A Set: two results may share a buffer, and a transfer list must not repeat one.
  const transferList = new Set<ArrayBuffer>();
  const plugins = batch.plugins.map((spec) => rebuildPlugin(spec));
  // A plugin that fails to rebuild is reported by the jobs that await it, not here.
  for (const plugin of plugins) plugin.catch(() => {});
  // Copies are taken before any job runs: a job that mutates a shared input must not reach the
  // copy of a later one.
  const argsOfJobs = batch.jobs.map((job) => (job.isolate === true ? structuredClone(job.args) : job.args));
  for (const [position, job] of batch.jobs.entries()) {
    let args = argsOfJobs[position] as unknown[] | undefined;
    if (job.chained !== undefined) args = fillChained(job, args as unknown[], soFar);
    if (args === undefined) {
      outcomes.push({ ok: false, notRun: true });
      continue;
    }
    // The thread's start and the task module's import are timed on their own, not as the node's.
    const startup = await startupBefore(job.moduleUrl, job.key);
    const started = performance.now();
    const outcome = await runJob(job, args, plugins);
    const timing = {
      startedAt: performance.timeOrigin + started,
      durationMs: performance.now() - started,
      threadId,
      ...(startup === undefined ? {} : { startup }),
    };
    if (outcome.ok && job.returnResult === false) {
      soFar.values[position] = outcome.value;
      soFar.succeeded[position] = 1;
      outcomes.push({ ok: true, value: undefined, ...timing });
    } else if (outcome.ok) {
      soFar.values[position] = outcome.value;
      soFar.succeeded[position] = 1;
      for (const buffer of outcome.transferables) transferList.add(buffer);
      outcomes.push(
        outcome.preparedSave === undefined
          ? { ok: true, value: outcome.value, ...timing }
          : { ok: true, value: outcome.value, preparedSave: outcome.preparedSave, ...timing },
      );
    } else {
      outcomes.push({ ok: false, error: outcome.error, ...timing });
    }
  }
  const result: BatchResult = { outcomes };
  if (transferList.size === 0) return result;
  // move() marks the wrapper so Piscina sends `result` with the buffers moved, not copied.
  return move({ [transferableSymbol]: [...transferList], [valueSymbol]: result });
}
