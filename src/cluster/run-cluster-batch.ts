/**
 * Worker side: one BullMQ job. The batch's inputs are read from Redis in one round trip, its
 * modules resolved against this worker's root (and checked against the coordinator's hashes),
 * its nodes run one after another on a thread of the worker's pool, and each result written
 * under its key, but only while the run goes on (result-writes.ts), so a result that arrives
 * after the run ended leaves nothing behind.
 * Everything that goes wrong with one node becomes its outcome; the job itself completes.
 */
import type { Redis } from 'ioredis';
import { FunctionFuseError, InternalError } from '../errors.js';
import type { JobBatch, NodeJob } from '../threads/messages.js';
import { serializeThrown } from '../threads/serialized-error.js';
import type { ClusterBatch, ClusterOutcome } from './cluster-messages.js';
import { fillArguments, missingInput, readRunInputs } from './fill-arguments.js';
import type { FreshThreads } from './fresh-threads.js';
import type { ModuleRef, ModuleResolver } from './module-refs.js';
import { mapPluginModules } from './plugin-modules.js';
import { writeResults } from './result-writes.js';
import { type PackedValue, packValue, REDIS_VALUE_MAX_BYTES, unpackValue } from './wire-format.js';

/** What a worker lends each job. */
export interface BatchContext {
  readonly redis: Redis;
  readonly threads: FreshThreads;
  readonly resolver: ModuleResolver;
  /** How long a result may stay in Redis if its run never deletes it (a coordinator killed). */
  readonly resultTtlMs: number;
  /** Fires when the run is cancelled: the batch's thread is stopped. */
  readonly cancelled: AbortSignal;
}

export async function runClusterBatch(batch: ClusterBatch, context: BatchContext): Promise<ClusterOutcome[]> {
  const { redis } = context;
  const stopped = batch.jobs.map((): ClusterOutcome => ({ kind: 'stopped' }));
  if (context.cancelled.aborted) return stopped;
  // The run's alive key comes with the inputs: one round trip for both.
  const { alive, inputs } = await readRunInputs(redis, batch.runId, batch.jobs);
  if (!alive) return stopped;
  const outcomes: (ClusterOutcome | undefined)[] = new Array(batch.jobs.length);
  const failAt = (position: number, error: unknown): void => {
    outcomes[position] = {
      kind: 'failed',
      error: serializeThrown(error),
      startedAt: Date.now(),
      durationMs: 0,
      threadId: 0,
    };
  };
  const runnable: { position: number; job: NodeJob }[] = [];
  const transferList: ArrayBuffer[] = [];
  batch.jobs.forEach((job, position) => {
    try {
      const moduleUrl = context.resolver.resolve(batch.modules[job.module] as ModuleRef, job.nodeName);
      const args = fillArguments(job, (parent) => {
        const frame = inputs.get(parent);
        if (frame === undefined) throw missingInput(job.nodeName, parent);
        return unpackValue(frame, transferList);
      });
      runnable.push({
        position,
        job: {
          nodeName: job.nodeName,
          moduleUrl,
          key: job.key,
          args,
          ...(job.plugin === undefined ? {} : { plugin: job.plugin }),
        },
      });
    } catch (error) {
      failAt(position, error);
    }
  });
  if (runnable.length > 0) {
    let plugins: JobBatch['plugins'];
    try {
      plugins = batch.plugins.map((spec) =>
        mapPluginModules(spec, (ref) => context.resolver.resolve(JSON.parse(ref) as ModuleRef, 'a plugin')),
      );
    } catch (error) {
      for (const { position } of runnable) failAt(position, error);
      return outcomes as ClusterOutcome[];
    }
    await runOnPool(batch, runnable, plugins, transferList, context, outcomes);
  }
  return outcomes.map((outcome) => outcome ?? { kind: 'stopped' });
}

async function runOnPool(
  batch: ClusterBatch,
  runnable: readonly { position: number; job: NodeJob }[],
  plugins: JobBatch['plugins'],
  transferList: readonly ArrayBuffer[],
  context: BatchContext,
  outcomes: (ClusterOutcome | undefined)[],
): Promise<void> {
  const controller = new AbortController();
  const onCancel = (): void => controller.abort(context.cancelled.reason);
  context.cancelled.addEventListener('abort', onCancel, { once: true });
  const { timeoutMs } = batch;
  let timedOut = false;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort(new FunctionFuseError('timed out'));
        }, timeoutMs);
  try {
    const hashes = new Map<string, string>();
    for (const ref of batch.modules) if (ref.kind === 'project') hashes.set(ref.path, ref.hash);
    const pool = context.threads.acquire(hashes);
    let result: Awaited<ReturnType<typeof pool.runJobs>>;
    try {
      result = await pool.runJobs(
        { kind: 'batch', jobs: runnable.map(({ job }) => job), plugins },
        transferList,
        controller.signal,
      );
    } finally {
      context.threads.release(pool);
    }
    const frames: [number, PackedValue][] = [];
    result.outcomes.forEach((outcome, order) => {
      const { position, job } = runnable[order] as { position: number; job: NodeJob };
      // Cluster batches chain nothing: every job runs.
      if ('notRun' in outcome) throw new InternalError(`node "${job.nodeName}" did not run in its batch`);
      const timing = {
        startedAt: outcome.startedAt,
        durationMs: outcome.durationMs,
        threadId: outcome.threadId,
      };
      const startup = outcome.startup === undefined ? {} : { startup: outcome.startup };
      if (!outcome.ok) {
        outcomes[position] = { kind: 'failed', error: outcome.error, ...timing, ...startup };
        return;
      }
      const frame = packValue(outcome.value);
      if (frame.largestField > REDIS_VALUE_MAX_BYTES) {
        const error = new FunctionFuseError(
          `The result of node "${job.nodeName}" holds a part of ${frame.largestField} bytes, more than Redis holds in one ` +
            `value (${REDIS_VALUE_MAX_BYTES} bytes), so it cannot travel to other nodes of the cluster.`,
        );
        outcomes[position] = { kind: 'failed', error: serializeThrown(error), ...timing, ...startup };
        return;
      }
      const index = (batch.jobs[position] as ClusterBatch['jobs'][number]).index;
      frames.push([index, frame]);
      outcomes[position] = { kind: 'ok', bytes: frame.bytes, ...timing, ...startup };
    });
    await writeResults(context.redis, batch.runId, frames, context.resultTtlMs);
  } catch (error) {
    for (const { position } of runnable) {
      if (timedOut && timeoutMs !== undefined) outcomes[position] = { kind: 'timed-out', timeoutMs };
      else if (controller.signal.aborted && !timedOut) outcomes[position] = { kind: 'stopped' };
      else outcomes[position] = { kind: 'lost', error: serializeThrown(error) };
    }
  } finally {
    clearTimeout(timer);
    context.cancelled.removeEventListener('abort', onCancel);
  }
}
