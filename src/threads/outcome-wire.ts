/**
 * How outcomes of a batch travel back from a task worker: parallel lists by job position, the
 * kinds in a Uint8Array and the times in one Float64Array, the thread named once (see
 * batch-wire.ts for why structured clones want few objects).
 */
import type { BatchResult, JobStartup } from './messages.js';
import type { SerializedThrow } from './serialized-error.js';

/** Outcomes as they travel back. */
export interface WireOutcomes {
  readonly threadId: number;
  /** Per job: {@link succeeded}, {@link failed} or {@link notRun}. */
  readonly kinds: ArrayLike<number>;
  /** Per job: the result (undefined when it stays in the worker), the SerializedThrow, or undefined. */
  readonly values: readonly unknown[];
  /** Per job: startedAt, durationMs. */
  readonly times: Float64Array;
  /** What only some jobs have, by position: start-up steps, a prepared save. */
  readonly extras: Readonly<Record<number, OutcomeExtras>> | undefined;
  /**
   * The memory the thread's jobs left that only a collection frees, or that its collector has
   * not been told of (0 or absent: none; idle-collection.ts): the pool asks it to collect once
   * it is idle.
   */
  readonly uncollectedBytes?: number;
}

export interface OutcomeExtras extends JobStartup {
  readonly preparedSave?: { readonly prepared: unknown };
  /**
   * The byte length of the shared memory the result holds or views, when it holds any: the
   * receiving thread tells its collector (shared-memory-pressure.ts).
   */
  readonly sharedBytes?: number;
  /**
   * The bytes a `shareResult` node's result had copied into shared memory, when any were: a
   * node that made its result there itself gets no memory made ahead (drivers/warm-targets.ts).
   */
  readonly copiedBytes?: number;
}

export const succeeded = 0;
export const failed = 1;
/** A chained job that did not run: an earlier job of the batch it needed did not succeed. */
export const notRun = 2;

/** Unpacks outcomes into objects (the cluster worker's batches). */
export function decodeOutcomes(wire: WireOutcomes): BatchResult {
  const { threadId, kinds, values, times, extras } = wire;
  const outcomes = Array.from(kinds, (kind, position): BatchResult['outcomes'][number] => {
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
