/**
 * Thread-pool driver: what comes back of a batch, as events for the run core. The outcomes of
 * a batch the pool ran are applied in batch order (the driver holds sending meanwhile): a
 * chained node became ready when its parents' outcomes were applied, and is claimed, started
 * and finished now, so the core sees each node become ready, start and finish, as if it had
 * been sent on its own. A chained node whose parent did not succeed (or whose run stopped)
 * stays where it is, and goes in its turn.
 *
 * A batch the pool rejected was stopped (cancelled, or its node timed out), or its worker
 * died. A dead worker fails only the node it ran alone; quick nodes batched with it go again,
 * one by one (which of them killed the worker is unknown), and chained ones wait for their
 * parents again. A worker killed by what a finished node left behind (a timer that threw after
 * it returned: left-behind-errors.ts) fails nobody: that node is named in a warning, and what
 * the worker ran goes again.
 */
import { InternalError, NodeTimeoutError } from '../errors.js';
import type { Node } from '../graph/node.js';
import { NodeState } from '../scheduler/node-state.js';
import type { NodePlace, RunEvent } from '../scheduler/run-events.js';
import type { PreparedRun } from '../scheduler/run-setup.js';
import { takeLeftBy, warnLeftBehind } from '../threads/left-behind-errors.js';
import { failed, notRun, type WireOutcomes } from '../threads/outcome-wire.js';
import { deserializeThrown, type SerializedThrow } from '../threads/serialized-error.js';
import { feelSharedMemoryLater } from '../threads/shared-memory-pressure.js';
import { workerFailure } from '../threads/worker-failure.js';
import type { BatchSizer } from './batch-sizer.js';
import type { PreparedJob } from './prepared-job.js';
import type { ResultFlow } from './result-flow.js';
import type { ResultStore } from './result-store.js';
import type { ThreadResends } from './thread-resends.js';

export class ThreadBatchOutcomes {
  readonly #run: PreparedRun;
  readonly #store: ResultStore;
  readonly #sizer: BatchSizer;
  readonly #resends: ThreadResends;
  readonly #results: ResultFlow;
  /** Hands an event to the core and carries out what it says (the driver's `tell`). */
  readonly #tell: (event: RunEvent) => void;

  constructor(
    run: PreparedRun,
    store: ResultStore,
    sizer: BatchSizer,
    resends: ThreadResends,
    results: ResultFlow,
    tell: (event: RunEvent) => void,
  ) {
    this.#run = run;
    this.#store = store;
    this.#sizer = sizer;
    this.#resends = resends;
    this.#results = results;
    this.#tell = tell;
  }

  /**
   * Applies the outcome at `position` of a batch to its node `prepared`: its duration goes to
   * the batch sizer, its value where results go, and its event to the core.
   *
   * @example
   * for (const [position, prepared] of batch.entries()) outcomes.apply(prepared, wire, position, bytesMoved);
   */
  apply(prepared: PreparedJob, outcomes: WireOutcomes, position: number, bytesMoved: number): void {
    const { plan, core, timings } = this.#run;
    const { index } = prepared;
    const kind = outcomes.kinds[position];
    if (prepared.chainedSlots !== undefined) {
      if (kind === notRun || !core.claimReady(index)) return;
      this.#store.release(index);
    } else if (kind === notRun) {
      throw new InternalError(
        `node "${prepared.nodeName}" was not run in its batch, though it needs no other job`,
      );
    }
    const node = plan.nodes[index] as Node;
    const durationMs = outcomes.times[position * 2 + 1] as number;
    this.#sizer.record(node.callable, durationMs);
    const value = outcomes.values[position];
    if (kind === failed) {
      this.#attemptFailed(index, deserializeThrown(value as SerializedThrow), {
        threadId: outcomes.threadId,
      });
      return;
    }
    this.#resends.forget(index);
    const extras = outcomes.extras?.[position];
    if (extras?.sharedBytes !== undefined) {
      feelSharedMemoryLater(extras.sharedBytes);
      this.#store.markShared(index, extras.sharedBytes);
    }
    this.#results.computed(index, node, value, extras?.preparedSave);
    // The timing object only when someone listens: it is made for every node.
    const timing = timings.enabled
      ? {
          startedAt: outcomes.times[position * 2] as number,
          durationMs,
          threadId: outcomes.threadId,
          bytesMoved,
          ...(extras?.startup === undefined ? {} : { startup: extras.startup }),
        }
      : undefined;
    this.#tell(
      timing === undefined
        ? { kind: 'attempt-succeeded', index }
        : { kind: 'attempt-succeeded', index, timing },
    );
  }

  /**
   * The pool rejected `batch` with `error`: it was stopped through `signal` (cancelled, timed
   * out), or its worker died.
   *
   * @example
   * pool.run(message, transferList, signal).catch((error) => outcomes.lost(batch, signal, error));
   */
  lost(batch: readonly PreparedJob[], signal: AbortSignal | undefined, error: unknown): void {
    const first = batch[0] as PreparedJob;
    if (signal?.reason instanceof NodeTimeoutError) {
      this.#attemptFailed(first.index, signal.reason);
      return;
    }
    // Chained nodes never started in the core: they wait for their parents again.
    const started = batch.filter((prepared) => prepared.chainedSlots === undefined);
    if (signal?.aborted) {
      for (const { index } of started) {
        this.#resends.forget(index);
        this.#tell({ kind: 'attempt-stopped', index });
      }
      return;
    }
    const culprit = takeLeftBy(error);
    const culpritFinished = culprit !== undefined && !batch.some((prepared) => prepared.nodeName === culprit);
    if (culpritFinished) {
      warnLeftBehind(
        culprit,
        error,
        batch.map((prepared) => prepared.nodeName),
      );
    }
    if (batch.length > 1 || culpritFinished) {
      // Which job killed the worker is unknown, or none did (what a node that had finished left
      // behind threw): each goes again alone, not counted as a try.
      for (const prepared of batch) this.#resends.sendAlone(prepared.index);
      for (const prepared of started) {
        this.#resends.keep(prepared);
        this.#tell({ kind: 'worker-lost', index: prepared.index });
      }
      return;
    }
    this.#attemptFailed(first.index, workerFailure(first.nodeName, error));
  }

  #attemptFailed(index: number, error: unknown, place?: NodePlace): void {
    this.#tell(
      place === undefined
        ? { kind: 'attempt-failed', index, error }
        : { kind: 'attempt-failed', index, error, place },
    );
    if (this.#run.core.stateOf(index) !== NodeState.retryWait) this.#resends.forget(index);
  }
}
