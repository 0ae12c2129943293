/**
 * Shows a run's progress on a stream (stderr by default, so results on stdout stay clean): a
 * live bar on a terminal, plain periodic lines in logs and pipes, where a bar's redraws
 * would be noise.
 */
import { Presets, SingleBar } from 'cli-progress';
import { describeValue } from '../errors.js';
import type { WorkflowEventMap } from '../events/workflow-events.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import { type ProgressSnapshot, type ProgressSource, ProgressTally } from './progress-tally.js';

/**
 * Options of {@link ProgressReporter}.
 *
 * @example
 * new ProgressReporter(wf, { stream: process.stderr, mode: 'lines', intervalMs: 5000 });
 */
export interface ProgressOptions {
  /**
   * Where progress is written.
   * @default process.stderr
   */
  readonly stream?: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /**
   * `bar` redraws one line in place; `lines` prints a new line every `intervalMs` and at the end.
   * @default 'bar' when the stream is a terminal, else 'lines'
   */
  readonly mode?: 'bar' | 'lines';
  /**
   * Time between two plain lines, in ms.
   * @default 2000
   */
  readonly intervalMs?: number;
  /**
   * Writes a line for every retry: the node, the attempt that failed and its error.
   * @default false
   */
  readonly retryLines?: boolean;
}

const defaultIntervalMs = 2000;
const barRefreshMs = 1000;

/**
 * Displays the progress of a workflow's runs: nodes done / total, running now, failed, cached,
 * elapsed time and the estimated time left. Built on the workflow's events, so it works on
 * every backend. It starts with each run and ends itself when the run finishes.
 *
 * @example
 * const progress = new ProgressReporter(wf);
 * try { await wf.run(); } finally { progress.stop(); }
 */
export class ProgressReporter {
  readonly #tally: ProgressTally;
  readonly #stream: NodeJS.WritableStream;
  readonly #mode: 'bar' | 'lines';
  readonly #intervalMs: number;
  #bar: SingleBar | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(workflow: ProgressSource, options: ProgressOptions = {}) {
    refuseUnknownKeys(options, ['stream', 'mode', 'intervalMs', 'retryLines'], 'ProgressReporter option');
    const { stream = process.stderr, intervalMs = defaultIntervalMs } = options;
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new RangeError(
        `Expected \`intervalMs\` to be a positive number, got ${describeValue(intervalMs)}`,
      );
    }
    const mode = options.mode ?? (stream.isTTY === true ? 'bar' : 'lines');
    if (mode !== 'bar' && mode !== 'lines') {
      throw new TypeError(`Expected \`mode\` to be 'bar' or 'lines', got ${describeValue(mode)}`);
    }
    this.#stream = stream;
    this.#mode = mode;
    this.#intervalMs = intervalMs;
    this.#tally = new ProgressTally(workflow);
    if (options.retryLines === true) {
      workflow.on('node-retried', (event) => this.#writeAboveBar(formatRetryLine(event)));
    }
    this.#tally.onChange = (event) => {
      if (event === 'started') this.#begin();
      else if (event === 'finished') this.stop();
      else this.#refreshBar();
    };
  }

  /** Ends the display now (it also ends by itself when a run finishes). Safe to call twice. */
  stop(): void {
    if (this.#bar !== undefined || this.#timer !== undefined) this.#end();
  }

  #begin(): void {
    this.stop();
    const snapshot = this.#tally.snapshot();
    if (this.#mode === 'bar') {
      this.#bar = new SingleBar(
        {
          stream: this.#stream,
          // Elapsed time and ETA come from the tally, as in the plain lines: cli-progress's
          // own ETA reads "NULL" or "INF" until a node settles.
          format:
            '{bar} {done}/{total} nodes done | {running} running | {failed} failed | {cached} cached | {stale} stale | {retries} retries | {elapsedTime} elapsed | ETA {timeLeft}',
          hideCursor: true,
          clearOnComplete: false,
          // The run owns the process: cli-progress must not install its own signal handlers.
          gracefulExit: false,
        },
        Presets.shades_classic,
      );
      this.#bar.start(snapshot.total, 0, barPayload(snapshot));
      // Between events the clock still moves: refresh elapsed time and ETA every second.
      this.#timer = setInterval(() => this.#refreshBar(), barRefreshMs);
    } else {
      this.#timer = setInterval(() => this.#writeLine(this.#tally.snapshot()), this.#intervalMs);
    }
    // A progress display is never a reason to keep the process alive.
    this.#timer.unref();
  }

  #end(): void {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    const snapshot = this.#tally.snapshot();
    if (this.#bar !== undefined) {
      this.#refreshBar();
      this.#bar.stop();
      this.#bar = undefined;
    } else {
      this.#writeLine(snapshot);
    }
  }

  /**
   * The bar fills with every settled node, failed and skipped included, so it ends full; the
   * text shows nodes done.
   */
  #refreshBar(): void {
    if (this.#bar === undefined) return;
    const snapshot = this.#tally.snapshot();
    this.#bar.update(
      snapshot.done + snapshot.failed + snapshot.skipped + snapshot.cancelled,
      barPayload(snapshot),
    );
  }

  #writeLine(snapshot: ProgressSnapshot): void {
    this.#stream.write(`${formatProgressLine(snapshot)}\n`);
  }

  /** A line of its own; on a terminal the bar is cleared first and drawn again below it. */
  #writeAboveBar(line: string): void {
    if (this.#bar === undefined) {
      this.#stream.write(`${line}\n`);
      return;
    }
    this.#stream.write(`\r\u001b[K${line}\n`);
    this.#refreshBar();
  }
}

/**
 * One plain progress line, as printed when the stream is not a terminal. Stale results, retries
 * and cancelled nodes are counted once there are any; a cancelled run ends with `cancelled`, not `finished`.
 *
 * @example
 * formatProgressLine(snapshot);
 * // 'functionfuse: demo: 3/10 nodes done, 2 running, 0 failed, 1 cached, 4.0 s elapsed, ETA 9.3 s'
 * // with stale results: 'functionfuse: demo: 3/10 nodes done, 2 running, 0 failed, 1 cached, 2 stale, 4.0 s elapsed, ETA 9.3 s'
 * // at the end: 'functionfuse: demo: finished, 10/10 nodes done, 0 failed, 1 cached, 0 skipped in 13.2 s'
 * // cancelled: 'functionfuse: demo: cancelled, 3/10 nodes done, 0 failed, 1 cached, 0 skipped, 7 cancelled in 2.1 s'
 */
export function formatProgressLine(snapshot: ProgressSnapshot): string {
  const {
    workflow,
    done,
    total,
    running,
    failed,
    cached,
    stale,
    skipped,
    cancelled,
    retries,
    elapsedMs,
    etaMs,
  } = snapshot;
  const counts = `${done}/${total} nodes done`;
  const extra =
    (stale > 0 ? `, ${stale} stale` : '') +
    (cancelled > 0 || snapshot.status === 'cancelled' ? `, ${cancelled} cancelled` : '') +
    (retries > 0 ? `, ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '');
  if (snapshot.finished) {
    const ending = snapshot.status === 'cancelled' ? 'cancelled' : 'finished';
    return `functionfuse: ${workflow}: ${ending}, ${counts}, ${failed} failed, ${cached} cached, ${skipped} skipped${extra} in ${formatDuration(elapsedMs)}`;
  }
  const eta = etaMs === undefined ? 'unknown' : formatDuration(etaMs);
  return `functionfuse: ${workflow}: ${counts}, ${running} running, ${failed} failed, ${cached} cached${extra}, ${formatDuration(elapsedMs)} elapsed, ETA ${eta}`;
}

/**
 * The line written for a retry when {@link ProgressOptions.retryLines} is on.
 *
 * @example
 * formatRetryLine(event);
 * // 'functionfuse: node "fetch_0003" failed attempt 1 (Error: ECONNRESET); attempt 2 in 100 ms'
 */
export function formatRetryLine(event: WorkflowEventMap['node-retried']): string {
  const { error } = event;
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const wait = event.delayMs > 0 ? ` in ${formatDelay(event.delayMs)}` : ' now';
  return `functionfuse: node "${event.node}" failed attempt ${event.attempt - 1} (${reason}); attempt ${event.attempt}${wait}`;
}

function formatDelay(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : formatDuration(milliseconds);
}

/**
 * A duration for people: `0.4 s`, `12.0 s`, `3 min 05 s`, `2 h 03 min`.
 *
 * @example
 * formatDuration(185_000); // '3 min 05 s'
 */
export function formatDuration(milliseconds: number): string {
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const wholeSeconds = Math.round(seconds);
  const minutes = Math.floor(wholeSeconds / 60);
  if (minutes < 60) return `${minutes} min ${String(wholeSeconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

function barPayload(snapshot: ProgressSnapshot): Record<string, number | string> {
  const { done, running, failed, cached, stale, retries, elapsedMs, etaMs } = snapshot;
  return {
    done,
    running,
    failed,
    cached,
    stale,
    retries,
    // Not `eta` or `duration`: cli-progress's own tokens of those names would win.
    elapsedTime: formatDuration(elapsedMs),
    timeLeft: etaMs === undefined ? 'unknown' : formatDuration(etaMs),
  };
}
