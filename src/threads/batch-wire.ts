/**
 * How a batch travels from the main thread to a task worker. Structured cloning costs per
 * object and per array element, far more than per byte: a batch of 256 chained jobs as a flat
 * list of six entries a job (names, arrays of arguments, arrays of links) took about 600 µs to
 * clone, and 20 µs packed as below (measured here). So every number of the batch is in one
 * Int32Array, every name in one string, every argument in one list; only arguments, and the
 * few jobs' plugin calls and save requests, are objects of their own.
 */
import type { BatchedPluginCall, JobBatch, NodeJob, WorkerSaveRequest } from './messages.js';
import type { RemotePluginSpec } from './remote-plugin.js';
import type { WarmTarget } from './warm-target.js';

/** A batch as it travels. */
export interface WireBatch {
  readonly kind: 'batch';
  /** The batch's task modules, each once: moduleUrl, key, moduleUrl, key... */
  readonly tasks: readonly string[];
  readonly plugins: readonly RemotePluginSpec[];
  /** Every job's name, one after another (where each ends is in `layout`). */
  readonly names: string;
  /** Per job, five numbers: task number, flags, and where its name, arguments and links end. */
  readonly layout: Int32Array;
  /** Every job's arguments, one after another. */
  readonly args: readonly unknown[];
  /** Every job's chained slots, one after another, as {@link WireBatchWriter.addLink} writes them. */
  readonly links: Int32Array;
  /** The property keys the links name that are not small whole numbers: key `-1 - k` is `keys[k]`. */
  readonly keys: readonly (string | number)[];
  /** What only some jobs carry, by position. */
  readonly extras: Readonly<Record<number, JobExtras>> | undefined;
}

const layoutPerJob = 5;
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
  /** Shared memory the main thread is faulting in for the job's shared result (warm-target.ts). */
  readonly warmTarget?: WarmTarget;
  /** The shared results among the job's arguments ({@link NodeJob.sharedInputs}). */
  readonly sharedInputs?: readonly number[];
}

/** Writes a batch job by job. */
export class WireBatchWriter {
  readonly #tasks: string[] = [];
  readonly #taskNumbers = new Map<string, number>();
  readonly #layout: number[] = [];
  #names = '';
  readonly #args: unknown[] = [];
  readonly #links: number[] = [];
  readonly #keys: (string | number)[] = [];
  #extras: Record<number, JobExtras> | undefined;
  #jobs = 0;
  /** The task of the job before: most jobs of a batch run the task the one before ran. */
  #lastUrl: string | undefined;
  #lastKey: string | undefined;
  #lastTask = -1;

  /** Adds a job; its chained slots follow with {@link addLink}. */
  add(
    name: string,
    moduleUrl: string,
    key: string,
    args: readonly unknown[],
    flags: number,
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
    this.#names += name;
    for (const arg of args) this.#args.push(arg);
    this.#layout.push(task, flags, this.#names.length, this.#args.length, this.#links.length);
    if (extras !== undefined) {
      this.#extras ??= {};
      this.#extras[this.#jobs] = extras;
    }
    this.#jobs++;
  }

  /**
   * Adds a chained slot to the job added last: the spot `at` of its arguments takes item `path`
   * of the result of the batch's job `job`, copied when `copy`. Written as at's length, at...,
   * job, copy, path's length, path...
   */
  addLink(at: readonly (string | number)[], job: number, copy: boolean, path: readonly PropertyKey[]): void {
    this.#links.push(at.length);
    for (const key of at) this.#links.push(this.#keyCode(key));
    this.#links.push(job, copy ? 1 : 0, path.length);
    for (const key of path) this.#links.push(this.#keyCode(key));
    this.#layout[this.#layout.length - 1] = this.#links.length;
  }

  finish(plugins: readonly RemotePluginSpec[]): WireBatch {
    return {
      kind: 'batch',
      tasks: this.#tasks,
      plugins,
      names: this.#names,
      layout: Int32Array.from(this.#layout),
      args: this.#args,
      links: Int32Array.from(this.#links),
      keys: this.#keys,
      extras: this.#extras,
    };
  }

  #keyCode(key: PropertyKey): number {
    if (typeof key === 'number' && Number.isInteger(key) && key >= 0 && key <= 0x7fffffff) return key;
    if (typeof key === 'symbol')
      throw new TypeError(`A chained slot cannot name the symbol key ${String(key)}`);
    this.#keys.push(key);
    return -this.#keys.length;
  }
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
    writer.add(job.nodeName, job.moduleUrl, job.key, job.args, flags, extras);
  }
  return writer.finish(batch.plugins);
}

/** A job as the worker reads it. */
export interface WorkerJob {
  readonly nodeName: string;
  readonly moduleUrl: string;
  readonly key: string;
  /** The job's own list of its arguments. */
  readonly args: unknown[];
  readonly flags: number;
  /** The node's `shareResult` option (from its flags). */
  readonly shareResult: boolean;
  /** Where the job's chained slots are in the batch's links (start === end: none). */
  readonly linksStart: number;
  readonly linksEnd: number;
  readonly plugin: BatchedPluginCall | undefined;
  readonly save: WorkerSaveRequest | undefined;
  readonly warmTarget: WarmTarget | undefined;
  readonly sharedInputs: readonly number[] | undefined;
}

/** How many jobs a packed batch holds. */
export function jobCount(batch: WireBatch): number {
  return batch.layout.length / layoutPerJob;
}

/** Job `position` of a batch, in the worker. */
export function readJob(batch: WireBatch, position: number): WorkerJob {
  const { layout, tasks } = batch;
  const at = position * layoutPerJob;
  const before = at - layoutPerJob;
  const task = layout[at] as number;
  const flags = layout[at + 1] as number;
  const extras = batch.extras?.[position];
  return {
    nodeName: jobName(batch, position),
    moduleUrl: tasks[task * 2] as string,
    key: tasks[task * 2 + 1] as string,
    args: batch.args.slice(before < 0 ? 0 : (layout[before + 3] as number), layout[at + 3] as number),
    flags,
    shareResult: (flags & shareResultFlag) !== 0,
    linksStart: before < 0 ? 0 : (layout[before + 4] as number),
    linksEnd: layout[at + 4] as number,
    plugin: extras?.plugin,
    save: extras?.save,
    warmTarget: extras?.warmTarget,
    sharedInputs: extras?.sharedInputs,
  };
}

/** The name of job `position` of a batch. */
export function jobName(batch: WireBatch, position: number): string {
  const at = position * layoutPerJob;
  return batch.names.slice(
    at === 0 ? 0 : (batch.layout[at - layoutPerJob + 2] as number),
    batch.layout[at + 2],
  );
}

/** A property key of a link, as {@link WireBatchWriter.addLink} wrote it. */
export function linkKey(batch: WireBatch, code: number): string | number {
  return code >= 0 ? code : (batch.keys[-1 - code] as string | number);
}
