/**
 * Worker side: the actors this worker holds. An actor's init job arrives on the shared queue;
 * the worker that takes it builds the object in a thread of its own (threads/actor-host.ts, as
 * on ThreadWorkflow) and keeps it for the run. Its calls arrive on this worker's own queue, one
 * at a time (each call depends on the one before it). Its last node ends it, writing a snapshot
 * of its fields as the init's result when the init is a leaf. A run that ends or is cancelled
 * ends its actors here.
 */
import type { Redis } from 'ioredis';
import { FunctionFuseError, WorkerDiedError } from '../errors.js';
import { ActorHost } from '../threads/actor-host.js';
import type { JobOutcome } from '../threads/messages.js';
import { serializeThrown } from '../threads/serialized-error.js';
import type { ClusterActorJob, ClusterOutcome } from './cluster-messages.js';
import { fillArguments, missingInput, readRunInputs } from './fill-arguments.js';
import type { ModuleRef, ModuleResolver } from './module-refs.js';
import { mapPluginModules } from './plugin-modules.js';
import { writeResults } from './result-writes.js';
import { packValue, unpackValue } from './wire-format.js';

export class WorkerActors {
  readonly #redis: Redis;
  readonly #resolver: ModuleResolver;
  readonly #resultTtlMs: number;
  /** By run id, then by the init node's index. */
  readonly #runs = new Map<string, Map<number, ActorHost>>();

  constructor(redis: Redis, resolver: ModuleResolver, resultTtlMs: number) {
    this.#redis = redis;
    this.#resolver = resolver;
    this.#resultTtlMs = resultTtlMs;
  }

  async run(job: ClusterActorJob): Promise<ClusterOutcome> {
    const startedAt = Date.now();
    const failed = (error: unknown): ClusterOutcome => ({
      kind: 'failed',
      error: serializeThrown(error),
      startedAt,
      durationMs: 0,
      threadId: 0,
    });
    const { alive, inputs } = await readRunInputs(this.#redis, job.runId, [job]);
    if (!alive) return { kind: 'stopped' };
    const transferList: ArrayBuffer[] = [];
    let host: ActorHost | undefined;
    let outcome: JobOutcome;
    try {
      const args = fillArguments(job, (parent) => {
        const frame = inputs.get(parent);
        if (frame === undefined) throw missingInput(job.nodeName, parent);
        return unpackValue(frame, transferList);
      });
      const plugin =
        job.plugin === undefined
          ? undefined
          : {
              spec: mapPluginModules(job.plugin.spec, (ref) =>
                this.#resolver.resolve(JSON.parse(ref) as ModuleRef, job.nodeName),
              ),
              payload: job.plugin.payload,
            };
      const withPlugin = plugin === undefined ? {} : { plugin };
      if (job.kind === 'init') {
        const moduleUrl = this.#resolver.resolve(job.module as ModuleRef, job.nodeName);
        host = new ActorHost(job.nodeName);
        this.#actorsOf(job.runId).set(job.actor, host);
        outcome = await this.#withTimeout(
          job,
          host,
          host.construct(
            { nodeName: job.nodeName, moduleUrl, key: job.key as string, args, ...withPlugin },
            transferList,
          ),
        );
      } else {
        host = this.#runs.get(job.runId)?.get(job.actor);
        if (host === undefined) {
          throw new WorkerDiedError(
            `The actor of node "${job.nodeName}" is not on this worker any more (it restarted, or the actor ended).`,
          );
        }
        const call = { nodeName: job.nodeName, method: job.method as string, args, ...withPlugin };
        outcome = await this.#withTimeout(job, host, host.call(call, transferList));
      }
    } catch (error) {
      if (error instanceof TimedOut) return { kind: 'timed-out', timeoutMs: error.timeoutMs };
      await this.#end(job.runId, job.actor);
      return failed(error);
    }
    const timing = {
      startedAt: outcome.startedAt,
      durationMs: outcome.durationMs,
      threadId: outcome.threadId,
    };
    if (!outcome.ok) return { kind: 'failed', error: outcome.error, ...timing };
    try {
      const frame = packValue(job.kind === 'init' ? undefined : outcome.value);
      await writeResults(this.#redis, job.runId, [[job.index, frame]], this.#resultTtlMs);
      if (job.end !== undefined) {
        if (job.end.snapshot) {
          const snapshot = await host.snapshot(job.end.initName);
          if (!snapshot.ok) return { kind: 'failed', error: snapshot.error, ...timing };
          await writeResults(
            this.#redis,
            job.runId,
            [[job.actor, packValue(snapshot.value)]],
            this.#resultTtlMs,
          );
        }
        await this.#end(job.runId, job.actor);
      }
      return { kind: 'ok', bytes: frame.bytes, ...timing };
    } catch (error) {
      return failed(error);
    }
  }

  /** Ends every actor of a run (it ended, or was cancelled). */
  async endRun(runId: string): Promise<void> {
    const actors = this.#runs.get(runId);
    this.#runs.delete(runId);
    await Promise.all([...(actors?.values() ?? [])].map((host) => host.terminate()));
  }

  async endAll(): Promise<void> {
    await Promise.all([...this.#runs.keys()].map((runId) => this.endRun(runId)));
  }

  #actorsOf(runId: string): Map<number, ActorHost> {
    let actors = this.#runs.get(runId);
    if (actors === undefined) {
      actors = new Map();
      this.#runs.set(runId, actors);
    }
    return actors;
  }

  async #end(runId: string, actor: number): Promise<void> {
    const actors = this.#runs.get(runId);
    const host = actors?.get(actor);
    actors?.delete(actor);
    if (actors?.size === 0) this.#runs.delete(runId);
    await host?.terminate();
  }

  /** A call past its timeout ends the actor: a call cannot be interrupted inside its object. */
  async #withTimeout(
    job: ClusterActorJob,
    host: ActorHost,
    pending: Promise<JobOutcome>,
  ): Promise<JobOutcome> {
    const { timeoutMs } = job;
    if (timeoutMs === undefined) return pending;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        pending,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            void this.#end(job.runId, job.actor);
            reject(new TimedOut(timeoutMs));
          }, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      void host;
    }
  }
}

class TimedOut extends FunctionFuseError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}
