import type { WorkflowOptions } from '../workflow/base-workflow.js';
import { validateCount } from '../workflow/thread-workflow-options.js';
import { type RedisConnection, type ResolvedConnection, resolveConnection } from './redis-connection.js';
import { validateQueueName, validateRoot } from './worker-options.js';

/** Options of BullMQWorkflow, beside those every workflow takes. */
export interface BullMQWorkflowOptions extends WorkflowOptions {
  /** The Redis server the workers use: `redis://host:port[/db]` or ioredis options. */
  readonly connection: RedisConnection;
  /**
   * The BullMQ queue the workers take jobs from (`functionfuse worker --queue`).
   * @default 'functionfuse'
   */
  readonly queueName?: string;
  /**
   * The folder task modules are named relative to; each worker resolves those names against
   * its own `--root`.
   * @default process.cwd()
   */
  readonly root?: string;
  /**
   * The most quick nodes sent in one job.
   * @default 64
   */
  readonly maxBatchSize?: number;
  /**
   * How many jobs may be queued or running at once: enough to keep every worker's threads busy.
   * @default 64
   */
  readonly maxJobsInFlight?: number;
  /**
   * How long to wait for Redis when a run starts, in ms, before run() rejects with a RedisConnectionError.
   * @default 10000
   */
  readonly connectTimeoutMs?: number;
  /**
   * How long Redis may be unreachable during a run, in ms, before the run fails with a RedisConnectionError.
   * @default 10000
   */
  readonly redisLostMs?: number;
  /**
   * How long jobs may wait with no live worker on the queue, in ms, before the run fails.
   * @default 30000
   */
  readonly workerWaitMs?: number;
  /**
   * How long a result may stay in Redis if its run never deletes it (the coordinator was killed), in ms.
   * @default 86400000 (a day)
   */
  readonly resultTtlMs?: number;
}

export interface ResolvedBullMQWorkflowOptions {
  readonly connection: ResolvedConnection;
  readonly queueName: string;
  readonly root: string;
  readonly maxBatchSize: number;
  readonly maxJobsInFlight: number;
  readonly connectTimeoutMs: number;
  readonly redisLostMs: number;
  readonly workerWaitMs: number;
  readonly resultTtlMs: number;
}

/** The option names BullMQWorkflow adds to {@link WorkflowOptions}. */
export const bullmqWorkflowOptionNames: readonly string[] = [
  'connection',
  'queueName',
  'root',
  'maxBatchSize',
  'maxJobsInFlight',
  'connectTimeoutMs',
  'redisLostMs',
  'workerWaitMs',
  'resultTtlMs',
];

const maxTimerMs = 2 ** 31 - 1;

/**
 * Checks BullMQWorkflow's own options once, naming the option and the value on a mistake.
 *
 * @example
 * resolveBullMQWorkflowOptions({ workflowName: 'x', connection: 'http://h' });
 * // Expected `connection` of BullMQWorkflow "x" to be a Redis URL ... its scheme is http:
 */
export function resolveBullMQWorkflowOptions(options: BullMQWorkflowOptions): ResolvedBullMQWorkflowOptions {
  return {
    connection: resolveConnection(options.connection, `BullMQWorkflow "${options.workflowName}"`),
    queueName: validateQueueName(options.queueName),
    root: validateRoot(options.root),
    maxBatchSize: validateCount(options.maxBatchSize, 'maxBatchSize', 64, Number.MAX_SAFE_INTEGER),
    maxJobsInFlight: validateCount(options.maxJobsInFlight, 'maxJobsInFlight', 64, Number.MAX_SAFE_INTEGER),
    connectTimeoutMs: validateCount(options.connectTimeoutMs, 'connectTimeoutMs', 10_000, maxTimerMs),
    redisLostMs: validateCount(options.redisLostMs, 'redisLostMs', 10_000, maxTimerMs),
    workerWaitMs: validateCount(options.workerWaitMs, 'workerWaitMs', 30_000, maxTimerMs),
    resultTtlMs: validateCount(options.resultTtlMs, 'resultTtlMs', 86_400_000, maxTimerMs),
  };
}
