import { resolve } from 'node:path';
import { describeValue } from '../errors.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import { validateCount } from '../workflow/thread-workflow-options.js';
import { type RedisConnection, type ResolvedConnection, resolveConnection } from './redis-connection.js';

/** Options of {@link startWorker}. */
export interface ClusterWorkerOptions {
  /** The Redis server the coordinators use: `redis://host:port` or ioredis options. */
  readonly connection: RedisConnection;
  /**
   * Threads of the worker's pool: how many nodes it runs at once.
   * @default os.availableParallelism()
   */
  readonly threads?: number;
  /**
   * The BullMQ queue to take jobs from: the coordinators' `queueName`.
   * @default 'functionfuse'
   */
  readonly queueName?: string;
  /**
   * The folder task modules are named relative to: this machine's copy of the project.
   * @default process.cwd()
   */
  readonly root?: string;
  /**
   * How long a job stays locked to this worker without a renewal, in ms: if the worker dies,
   * another takes its jobs about this long after. BullMQ renews it at half this while the job runs.
   * @default 5000
   */
  readonly lockDurationMs?: number;
  /**
   * How long a result stays in Redis when its run never deletes it (its coordinator was killed), in ms.
   * @default 86400000 (a day)
   */
  readonly resultTtlMs?: number;
  /**
   * How long to wait for Redis at start, in ms, before failing with a RedisConnectionError.
   * @default 10000
   */
  readonly connectTimeoutMs?: number;
}

export interface ResolvedWorkerOptions {
  readonly connection: ResolvedConnection;
  readonly threads: number;
  readonly queueName: string;
  readonly root: string;
  readonly lockDurationMs: number;
  readonly resultTtlMs: number;
  readonly connectTimeoutMs: number;
}

const workerOptionNames = [
  'connection',
  'threads',
  'queueName',
  'root',
  'lockDurationMs',
  'resultTtlMs',
  'connectTimeoutMs',
];

/** The longest wait a Node timer can hold, in ms (about 24.8 days). */
const maxTimerMs = 2 ** 31 - 1;

export function resolveWorkerOptions(options: ClusterWorkerOptions, cores: number): ResolvedWorkerOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Expected the options of startWorker to be an object, got ${describeValue(options)}`);
  }
  refuseUnknownKeys(options, workerOptionNames, 'option of startWorker');
  return {
    connection: resolveConnection(options.connection, 'functionfuse worker'),
    threads: validateCount(options.threads, 'threads', cores, 1024),
    queueName: validateQueueName(options.queueName),
    root: validateRoot(options.root),
    lockDurationMs: validateCount(options.lockDurationMs, 'lockDurationMs', 5000, maxTimerMs),
    resultTtlMs: validateCount(options.resultTtlMs, 'resultTtlMs', 86_400_000, maxTimerMs),
    connectTimeoutMs: validateCount(options.connectTimeoutMs, 'connectTimeoutMs', 10_000, maxTimerMs),
  };
}

/** A BullMQ queue name: it becomes part of Redis keys, so `:` is refused (BullMQ refuses it too). */
export function validateQueueName(name: unknown): string {
  if (name === undefined) return 'functionfuse';
  if (typeof name !== 'string' || name.length === 0 || name.includes(':') || name.length > 200) {
    throw new TypeError(
      `Expected \`queueName\` to be a non-empty name without ":" of at most 200 characters, got ${describeValue(name)}`,
    );
  }
  return name;
}

export function validateRoot(root: unknown): string {
  if (root === undefined) return process.cwd();
  if (typeof root !== 'string' || root.length === 0) {
    throw new TypeError(`Expected \`root\` to be a folder path, got ${describeValue(root)}`);
  }
  return resolve(root);
}
