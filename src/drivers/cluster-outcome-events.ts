/**
 * Coordinator side: what a cluster job's outcome means to the run core. One node's
 * ClusterOutcome becomes one RunEvent; a job that BullMQ failed itself (its worker stalled too
 * often: it died) becomes one per node. A lost worker costs a node of a batch nothing (which
 * node killed it is unknown: it goes again, alone); a node alone fails with it.
 */
import type { ClusterOutcome } from '../cluster/cluster-messages.js';
import { WorkerDiedError } from '../errors.js';
import { timeoutError } from '../executor/deadline.js';
import type { RunEvent } from '../scheduler/run-events.js';
import { takeLeftBy } from '../threads/left-behind-errors.js';
import { deserializeThrown } from '../threads/serialized-error.js';
import { workerFailure } from '../threads/worker-failure.js';

/** The node an outcome is of, and what the run knows of it. */
export interface OutcomeContext {
  readonly index: number;
  readonly nodeName: string;
  /** How many nodes its job carried. */
  readonly batchSize: number;
  /** The worker that ran it, for the node's timing. */
  readonly worker: string;
  /** Whether the run was stopped (its stopped threads are not lost workers). */
  readonly stopped: boolean;
}

/**
 * The event for one node's outcome. A `worker-lost` event means the node goes alone from now on.
 *
 * @example
 * outcomeEvent({ kind: 'timed-out', timeoutMs: 50 }, { index: 3, nodeName: 'fit', batchSize: 1, worker, stopped: false });
 * // { kind: 'attempt-failed', index: 3, error: NodeTimeoutError }
 */
export function outcomeEvent(outcome: ClusterOutcome, node: OutcomeContext): RunEvent {
  const { index, nodeName, batchSize, stopped } = node;
  switch (outcome.kind) {
    case 'ok': {
      const { startedAt, durationMs, threadId, startup } = outcome;
      const timing = {
        startedAt,
        durationMs,
        threadId,
        worker: node.worker,
        ...(startup === undefined ? {} : { startup }),
      };
      return { kind: 'attempt-succeeded', index, timing };
    }
    case 'failed':
      return {
        kind: 'attempt-failed',
        index,
        error: deserializeThrown(outcome.error),
        place: { threadId: outcome.threadId, worker: node.worker },
      };
    case 'timed-out':
      return { kind: 'attempt-failed', index, error: timeoutError(nodeName, outcome.timeoutMs) };
    case 'lost': {
      // Stopping a run stops its threads: that is not a lost worker.
      if (stopped) return { kind: 'attempt-stopped', index };
      const error = deserializeThrown(outcome.error);
      const culprit = takeLeftBy(error);
      // What another node left behind killed the thread: this one goes again (the job's
      // outcomes say so once, see ClusterJobOutcomes).
      if (culprit !== undefined && culprit !== nodeName) return { kind: 'worker-lost', index };
      return workerLost(index, batchSize, workerFailure(nodeName, error));
    }
    case 'stopped':
      // The worker found the run over: only this coordinator's cancellation ends it.
      if (stopped) return { kind: 'attempt-stopped', index };
      return workerLost(index, 2, undefined);
  }
}

/** The event for a node whose job BullMQ failed with `reason` (its worker stalled: it died). */
export function jobFailedEvent(index: number, nodeName: string, batchSize: number, reason: string): RunEvent {
  const error = new WorkerDiedError(
    `The cluster worker running node "${nodeName}" stopped before it finished: ${reason}`,
  );
  return workerLost(index, batchSize, error);
}

/** Alone, the node failed with `error`; in a batch, which node killed the worker is unknown: it goes again alone. */
function workerLost(index: number, batchSize: number, error: Error | undefined): RunEvent {
  if (batchSize > 1 || error === undefined) return { kind: 'worker-lost', index };
  return { kind: 'attempt-failed', index, error };
}
