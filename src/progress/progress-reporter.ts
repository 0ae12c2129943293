/**
 * Shows a run's progress on a stream (stderr by default, so results on stdout stay clean): a
 * live bar on a terminal, plain periodic lines in logs and pipes, where a bar's redraws
 * would be noise.
 */
import { Presets, SingleBar } from 'cli-progress';
import { describeValue } from '../errors.js';
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
            '{bar} {done}/{total} nodes done | {running} running | {failed} failed | {cached} cached | {elapsedTime} elapsed | ETA {timeLeft}',
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
    this.#bar.update(snapshot.done + snapshot.failed + snapshot.skipped, barPayload(snapshot));
  }

  #writeLine(snapshot: ProgressSnapshot): void {
    this.#stream.write(`${formatProgressLine(snapshot)}\n`);
  }
}

/**
 * One plain progress line, as printed when the stream is not a terminal.
 *
 * @example
 * formatProgressLine(snapshot);
 * // 'functionfuse: demo: 3/10 nodes done, 2 running, 0 failed, 1 cached, 4.0 s elapsed, ETA 9.3 s'
 * // at the end: 'functionfuse: demo: finished, 10/10 nodes done, 0 failed, 1 cached, 0 skipped in 13.2 s'
 */
export function formatProgressLine(snapshot: ProgressSnapshot): string {
  const { workflow, done, total, running, failed, cached, skipped, elapsedMs, etaMs } = snapshot;
  const counts = `${done}/${total} nodes done`;
  if (snapshot.finished) {
    return `functionfuse: ${workflow}: finished, ${counts}, ${failed} failed, ${cached} cached, ${skipped} skipped in ${formatDuration(elapsedMs)}`;
  }
  const eta = etaMs === undefined ? 'unknown' : formatDuration(etaMs);
  return `functionfuse: ${workflow}: ${counts}, ${running} running, ${failed} failed, ${cached} cached, ${formatDuration(elapsedMs)} elapsed, ETA ${eta}`;
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
  const { done, running, failed, cached, elapsedMs, etaMs } = snapshot;
  return {
    done,
    running,
    failed,
    cached,
    // Not `eta` or `duration`: cli-progress's own tokens of those names would win.
    elapsedTime: formatDuration(elapsedMs),
    timeLeft: etaMs === undefined ? 'unknown' : formatDuration(etaMs),
  };
}
