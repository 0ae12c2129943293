/**
 * How a batch and its outcomes travel between the main thread and a task worker. Structured
 * cloning costs per object and per property name, and a batch of 64 quick jobs as objects cost
 * more to clone than to run (measured: about 8 µs a job to serialize and deserialize, against
 * 2 µs as below). So a batch is one flat list with six entries per job, each task module named
 * once; outcomes are parallel lists, the times in one Float64Array, the thread named once.
 */
import type {
  BatchedPluginCall,
  BatchResult,
  JobBatch,
  JobStartup,
  NodeJob,
  WorkerSaveRequest,
} from './messages.js';
import type { RemotePluginSpec } from './remote-plugin.js';
import type { SerializedThrow } from './serialized-error.js';

/** A batch as it travels. */
export interface WireBatch {
  readonly kind: 'batch';
  /** The batch's task modules, each once: moduleUrl, key, moduleUrl, key... */
  readonly tasks: readonly string[];
  readonly plugins: readonly RemotePluginSpec[];
  /** Per job, six entries: name, task number, args, flags, links, extras. */
  readonly jobs: readonly unknown[];
}

const entriesPerJob = 6;
/** Flags of a job: see {@link NodeJob.isolate}. */
export const isolateFlag = 1;
/** Flags of a job: nothing outside the batch reads its result, so it stays in the worker. */
export const keepInWorkerFlag = 2;
/** Flags of a job: its result goes to shared memory ({@link NodeJob.shareResult}). */
export const shareResultFlag = 4;

/** What only some jobs carry. */
export interface JobExtras {
  readonly plugin?: BatchedPluginCall;
  readonly save?: WorkerSaveRequest;
}

/** Writes a batch job by job. */
export class WireBatchWriter {
  readonly #tasks: string[] = [];
  readonly #taskNumbers = new Map<string, number>();
  readonly #jobs: unknown[] = [];
  /** The task of the job before: most jobs of a batch run the task the one before ran. */
  #lastUrl: string | undefined;
  #lastKey: string | undefined;
  #lastTask = -1;

  /**
   * Adds a job. `links` are its chained slots as {@link pushLink} writes them (undefined when it
   * has none).
   */
  add(
    name: string,
    moduleUrl: string,
    key: string,
    args: readonly unknown[],
    flags: number,
    links: readonly unknown[] | undefined,
    extras: JobExtras | undefined,
  ): void {
    let task = this.#lastTask;
    if (moduleUrl !== this.#lastUrl || key !== this.#lastKey) {
      // Module URLs hold no newline; the pair names the task.
      const pair = `${moduleUrl}\n${key}`;
      task = this.#taskNumbers.get(pair) ?? this.#tasks.length / 2;
      if (task === this.#tasks.length / 2) {
        this.#taskNumbers.set(pair, task);
        this.#tasks.push(moduleUrl, key);
      }
      this.#lastUrl = moduleUrl;
      this.#lastKey = key;
      this.#lastTask = task;
    }
    this.#jobs.push(name, task, args, flags, links, extras);
  }

  finish(plugins: readonly RemotePluginSpec[]): WireBatch {
    return { kind: 'batch', tasks: this.#tasks, plugins, jobs: this.#jobs };
  }
}

/**
 * Appends one chained slot to `links`: at's length, at..., source job, copy, path's length,
 * path..., source job's name.
 */
export function pushLink(
  links: unknown[],
  at: readonly (string | number)[],
  job: number,
  copy: boolean,
  path: readonly PropertyKey[],
  jobName: string,
): void {
  links.push(at.length, ...at, job, copy ? 1 : 0, path.length, ...path, jobName);
}

/** Packs a batch of job objects (the cluster worker's batches for its threads). */
export function encodeBatch(batch: JobBatch): WireBatch {
  const writer = new WireBatchWriter();
  for (const job of batch.jobs) {
    const flags = (job.isolate === true ? isolateFlag : 0) | (job.shareResult === true ? shareResultFlag : 0);
    const extras =
      job.plugin === undefined && job.save === undefined
        ? undefined
        : {
            ...(job.plugin === undefined ? {} : { plugin: job.plugin }),
            ...(job.save === undefined ? {} : { save: job.save }),
          };
    writer.add(job.nodeName, job.moduleUrl, job.key, job.args, flags, undefined, extras);
  }
  return writer.finish(batch.plugins);
}

/** A job as the worker reads it. */
export interface WorkerJob {
  readonly nodeName: string;
  readonly moduleUrl: string;
  readonly key: string;
  readonly args: readonly unknown[];
  readonly flags: number;
  /** The node's `shareResult` option (from its flags). */
  readonly shareResult: boolean;
  /** Chained slots, as {@link pushLink} wrote them. */
  readonly links: readonly unknown[] | undefined;
  readonly plugin: BatchedPluginCall | undefined;
  readonly save: WorkerSaveRequest | undefined;
}

/** How many jobs a packed batch holds. */
export function jobCount(batch: WireBatch): number {
  return batch.jobs.length / entriesPerJob;
}

/** Job `position` of a batch, in the worker. */
export function readJob(batch: WireBatch, position: number): WorkerJob {
  const at = position * entriesPerJob;
  const { jobs, tasks } = batch;
  const task = jobs[at + 1] as number;
  const extras = jobs[at + 5] as JobExtras | undefined;
  return {
    nodeName: jobs[at] as string,
    moduleUrl: tasks[task * 2] as string,
    key: tasks[task * 2 + 1] as string,
    args: jobs[at + 2] as unknown[],
    flags: jobs[at + 3] as number,
    shareResult: ((jobs[at + 3] as number) & shareResultFlag) !== 0,
    links: jobs[at + 4] as readonly unknown[] | undefined,
    plugin: extras?.plugin,
    save: extras?.save,
  };
}

/** Outcomes as they travel back. */
export interface WireOutcomes {
  readonly threadId: number;
  /** Per job: {@link succeeded}, {@link failed} or {@link notRun}. */
  readonly kinds: readonly number[];
  /** Per job: the result (undefined when it stays in the worker), the SerializedThrow, or undefined. */
  readonly values: readonly unknown[];
  /** Per job: startedAt, durationMs. */
  readonly times: Float64Array;
  /** What only some jobs have, by position: start-up steps, a prepared save. */
  readonly extras: Readonly<Record<number, OutcomeExtras>> | undefined;
}

export interface OutcomeExtras extends JobStartup {
  readonly preparedSave?: { readonly prepared: unknown };
}

export const succeeded = 0;
export const failed = 1;
/** A chained job that did not run: an earlier job of the batch it needed did not succeed. */
export const notRun = 2;

/** Unpacks outcomes into objects (the cluster worker's batches). */
export function decodeOutcomes(wire: WireOutcomes): BatchResult {
  const { threadId, kinds, values, times, extras } = wire;
  const outcomes = kinds.map((kind, position): BatchResult['outcomes'][number] => {
    if (kind === notRun) return { ok: false, notRun: true };
    const timing = {
      startedAt: times[position * 2] as number,
      durationMs: times[position * 2 + 1] as number,
      threadId,
    };
    const more = extras?.[position];
    if (kind === failed) {
      return {
        ok: false,
        error: values[position] as SerializedThrow,
        ...timing,
        ...(more?.startup === undefined ? {} : { startup: more.startup }),
      };
    }
    return { ok: true, value: values[position], ...timing, ...more };
  });
  return { outcomes };
}
