/**
 * The threads a recorded run's nodes ran on, as the rows of its pictures (the trace's tracks,
 * the report's timeline). A thread is known by its threadId within its process: on
 * BullMQWorkflow each cluster worker numbers its own threads from 1, so a thread is also known
 * by its worker, or two processes' threads would share a row and overlap on it.
 */
import type { NodeRecord } from './run-recorder.js';

/** One row: a thread of the main process or of one cluster worker, or failed nodes' own row. */
export interface ThreadTrack {
  /** The same for every node that ran on this thread (see {@link trackKeyOf}). */
  readonly key: string;
  /** The cluster worker that holds the thread (undefined: this process). */
  readonly worker: string | undefined;
  /** 0 for the main thread; undefined for the row of failed nodes whose thread no event said. */
  readonly threadId: number | undefined;
  /** `main thread`, `worker thread 3`, `host-12-1 thread 2`, `failed (thread not reported)`. */
  readonly label: string;
}

/** The key of the thread `record` ran on. */
export function trackKeyOf(record: Pick<NodeRecord, 'worker' | 'threadId'>): string {
  return `${record.worker ?? ''}#${record.threadId ?? '?'}`;
}

/**
 * The tracks of `records`, in the order the pictures show them: the main thread, this process's
 * workers by threadId, each cluster worker's threads (workers by id, threads by threadId), then
 * the row of failed nodes whose thread is unknown. The main thread is always there.
 */
export function threadTracks(records: readonly Pick<NodeRecord, 'worker' | 'threadId'>[]): ThreadTrack[] {
  const tracks = new Map<string, ThreadTrack>();
  for (const record of [{ worker: undefined, threadId: 0 }, ...records]) {
    const key = trackKeyOf(record);
    if (!tracks.has(key))
      tracks.set(key, { key, worker: record.worker, threadId: record.threadId, label: label(record) });
  }
  return [...tracks.values()].sort(byPlace);
}

function label({ worker, threadId }: Pick<NodeRecord, 'worker' | 'threadId'>): string {
  if (threadId === undefined) return 'failed (thread not reported)';
  if (worker !== undefined) return `${worker} thread ${threadId}`;
  return threadId === 0 ? 'main thread' : `worker thread ${threadId}`;
}

function byPlace(a: ThreadTrack, b: ThreadTrack): number {
  const unknown = Number(a.threadId === undefined) - Number(b.threadId === undefined);
  if (unknown !== 0) return unknown;
  const remote = Number(a.worker !== undefined) - Number(b.worker !== undefined);
  if (remote !== 0) return remote;
  if (a.worker !== b.worker) return (a.worker as string) < (b.worker as string) ? -1 : 1;
  return (a.threadId ?? 0) - (b.threadId ?? 0);
}
