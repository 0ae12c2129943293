/**
 * A recorded run in the Chrome Trace Event format (the JSON "traceEvents" form), which
 * Perfetto (ui.perfetto.dev) and chrome://tracing open: one track per thread, one slice per node.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import type { NodeRecord, RunRecording } from './run-recorder.js';
import { type ThreadTrack, threadTracks, trackKeyOf } from './thread-tracks.js';

/**
 * One entry of `traceEvents`: a complete slice (`ph: 'X'`) or a metadata record (`ph: 'M'`).
 * Times are microseconds from the start of the run.
 *
 * @example
 * const slice: TraceEvent = { name: 'sum_0000', ph: 'X', pid: 1, tid: 0, ts: 12.5, dur: 40 };
 */
export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'M';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly args?: Readonly<Record<string, unknown>>;
}

/**
 * The whole trace file.
 *
 * @example
 * const trace: ChromeTrace = toChromeTrace(recorder.recording());
 * trace.traceEvents.filter((event) => event.ph === 'X').length; // nodes that ran or were read
 */
export interface ChromeTrace {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ms';
  /** Shown by chrome://tracing under "Metadata". */
  readonly otherData: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The track of failed nodes whose thread no event reported (on ThreadWorkflow). Far above any
 * real threadId, so it never merges with a worker's track.
 *
 * @example
 * const unknownThread = trace.traceEvents.filter((event) => event.tid === UNKNOWN_THREAD_TRACK);
 */
export const UNKNOWN_THREAD_TRACK = 999_999;

/**
 * Converts a recording into a trace: a `thread_name` metadata event per track ("main thread",
 * "worker thread 3"), a complete event per start-up step of a worker (`start-up: thread start`,
 * `start-up: import tasks.ts`, category `startup`), and a complete event per node that ran, was
 * read from storage or failed,
 * named after the node, with `args` giving its outcome, wait time, bytes moved and whether it
 * was cached. Skipped nodes did not run, so they have no slice.
 *
 * @example
 * const recorder = new RunRecorder(wf);
 * await wf.run();
 * writeFileSync('run.json', JSON.stringify(toChromeTrace(recorder.recording())));
 */
export function toChromeTrace(recording: RunRecording, options: { readonly pid?: number } = {}): ChromeTrace {
  refuseUnknownKeys(options, ['pid'], 'Chrome trace option');
  const pid = options.pid ?? process.pid;
  const slices = recording.nodes.filter((record) => record.startedAt !== undefined);
  const tracks = threadTracks(slices);
  const tidOf = new Map(tracks.map((track, position) => [track.key, trackTid(track, position)]));
  const trackOf = (record: NodeRecord) => tidOf.get(trackKeyOf(record)) as number;

  const traceEvents: TraceEvent[] = [
    { name: 'process_name', ph: 'M', pid, tid: 0, args: { name: `functionfuse: ${recording.workflowName}` } },
  ];
  tracks.forEach((track, position) => {
    const tid = tidOf.get(track.key) as number;
    traceEvents.push(
      { name: 'thread_name', ph: 'M', pid, tid, args: { name: track.label } },
      // The main thread first, then workers by id, each cluster worker's, the unknown track last.
      { name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: position } },
    );
  });
  for (const record of slices) {
    // A thread's start-up gets slices of its own, before the node that waited for it.
    for (const step of record.startup) {
      traceEvents.push({
        name: `start-up: ${step.label}`,
        cat: 'startup',
        ph: 'X',
        pid,
        tid: trackOf(record),
        ts: microseconds(step.startedAt - recording.startedAt),
        dur: microseconds(step.durationMs),
        args: { before: record.name },
      });
    }
    traceEvents.push({
      name: record.name,
      cat: record.outcome,
      ph: 'X',
      pid,
      tid: trackOf(record),
      ts: microseconds((record.startedAt as number) - recording.startedAt),
      dur: microseconds(record.durationMs ?? 0),
      args: sliceArgs(record),
    });
  }
  return {
    traceEvents,
    displayTimeUnit: 'ms',
    otherData: {
      workflow: recording.workflowName,
      startedAt: new Date(recording.startedAt).toISOString(),
      durationMs: round(recording.durationMs, 3),
    },
  };
}

/**
 * Writes {@link toChromeTrace}'s trace as JSON to `file`, creating its folder.
 *
 * @example
 * await writeChromeTrace('out/run.json', recorder.recording());
 */
export async function writeChromeTrace(file: string, recording: RunRecording): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(toChromeTrace(recording))}\n`);
}

/**
 * A track's `tid`: this process's threads keep their threadId (0 for the main thread), failed
 * nodes of unknown thread {@link UNKNOWN_THREAD_TRACK}; a cluster worker's threads, whose
 * threadIds repeat from process to process, get numbers above both, by their place.
 */
function trackTid(track: ThreadTrack, position: number): number {
  if (track.threadId === undefined) return UNKNOWN_THREAD_TRACK;
  return track.worker === undefined ? track.threadId : UNKNOWN_THREAD_TRACK + 1 + position;
}

function sliceArgs(record: NodeRecord): Record<string, unknown> {
  const args: Record<string, unknown> = {
    outcome: record.outcome,
    cached: record.outcome === 'cached',
    waitMs: round(record.waitMs ?? 0, 3),
    bytesMoved: record.bytesMoved ?? 0,
  };
  if (record.attempts > 1) {
    args['attempts'] = record.attempts;
    args['retryErrors'] = record.retryErrors;
  }
  if (record.error !== undefined) args['error'] = record.error;
  return args;
}

/** Trace viewers read `ts` and `dur` in µs; three decimals keep the events' ns precision. */
function microseconds(milliseconds: number): number {
  return round(milliseconds * 1000, 3);
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
