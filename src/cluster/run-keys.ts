/**
 * The Redis keys and names one run owns. Every key of a run carries the run's id in braces, a
 * hash tag, so a Redis Cluster keeps them on one shard and a script may touch several. Job ids
 * are the run id and a count: unique per run, free of `:` and never an integer (BullMQ takes an
 * integer-like id for its own counter, and silently drops a job whose id exists, #941).
 */
import { randomBytes } from 'node:crypto';

/** A fresh run id: `ff` and 12 hex digits. */
export function newRunId(): string {
  return `ff${randomBytes(6).toString('hex')}`;
}

/** The key whose presence says the run goes on; workers keep no result of a run without it. */
export function aliveKey(runId: string): string {
  return `functionfuse:{${runId}}:alive`;
}

/** The key of node `index`'s result in the run: its head (see wire-format.ts). */
export function resultKey(runId: string, index: number): string {
  return `functionfuse:{${runId}}:result:${index}`;
}

/**
 * The key of raw part `part` of node `index`'s result: the head's key, `:` and the part's
 * number (result-deletes.ts's script builds the same names from the head's key).
 */
export function resultPartKey(runId: string, index: number, part: number): string {
  return `${resultKey(runId, index)}:${part}`;
}

/** Every key of a run, for SCAN. */
export function runKeyPattern(runId: string): string {
  return `functionfuse:{${runId}}:*`;
}

/** The id of the run's `count`-th job. */
export function jobId(runId: string, count: number | string): string {
  return `${runId}-${count}`;
}

/** The run a job id belongs to, or undefined for a job that is not one of ours. */
export function runOfJob(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const dash = id.indexOf('-');
  return dash === -1 ? undefined : id.slice(0, dash);
}

/** The pub/sub channel on which a queue's workers hear that a run was cancelled. */
export function cancelChannel(queueName: string): string {
  return `functionfuse:cancel:${queueName}`;
}

/** The key a worker refreshes while it lives (value: its threads), for the coordinator's checks. */
export function workerKey(queueName: string, workerId: string): string {
  return `functionfuse:workers:${queueName}:${workerId}`;
}

export function workerKeyPattern(queueName: string): string {
  return `functionfuse:workers:${queueName}:*`;
}

/** The queue of one worker, where the calls of the actors it holds go. */
export function actorQueueName(queueName: string, workerId: string): string {
  return `${queueName}.actors.${workerId}`;
}

/** The worker an actor queue belongs to (see {@link actorQueueName}). */
export function workerOfActorQueue(queueName: string, actorQueue: string): string {
  return actorQueue.slice(`${queueName}.actors.`.length);
}
