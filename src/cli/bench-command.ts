/**
 * `functionfuse bench <pipeline>`: measures a pipeline module warm on each backend and thread
 * count (benchWorkflow), with progress on stderr, and prints one table on stdout; `--json`
 * keeps the statistics, `--compare` fails when a row got slower than in an earlier file.
 */

import type { BenchBackendName } from '../benchmark/bench-backends.js';
import { type BenchComparison, compareBenchReports } from '../benchmark/bench-comparison.js';
import type { BenchProgress } from '../benchmark/bench-progress.js';
import { benchWorkflow } from '../benchmark/bench-workflow.js';
import { type BenchFile, readBenchFile, writeBenchFile } from './bench-file.js';
import { formatBenchReport, formatMs } from './bench-table.js';
import { ExitCode, UsageError } from './cli-errors.js';
import type { CliStreams } from './cli-streams.js';
import { type InterruptSignal, type InterruptSource, processSignals } from './interrupts.js';
import { checkOutputFiles } from './output-paths.js';
import { loadPipeline } from './pipeline-module.js';

/**
 * The options of `functionfuse bench`, as parsed from the command line.
 *
 * @example
 * await benchCommand('pipeline.ts', { backend: ['local'], progress: false, verbose: false, nodes: false }, streams);
 */
export interface BenchCommandOptions {
  /** @default ['local', 'threads'] */
  readonly backend?: readonly BenchBackendName[] | undefined;
  readonly threads?: readonly number[] | undefined;
  /** Milliseconds (the command line takes seconds). */
  readonly time?: number | undefined;
  readonly iterations?: number | undefined;
  readonly seed?: number | undefined;
  /** The Redis server of `--backend bullmq`. */
  readonly connection?: string | undefined;
  readonly queue?: string | undefined;
  readonly nodes: boolean;
  readonly json?: string | undefined;
  readonly compare?: string | undefined;
  /** @default true */
  readonly progress: boolean;
  readonly verbose: boolean;
}

/** Progress lines come at most this often while a row is measured. */
const progressIntervalMs = 2000;

/**
 * Benchmarks a pipeline module and resolves to the exit code: 0, or 1 when `--compare` found a
 * row slower than before beyond the margins of error, or the `--json` file could not be written.
 * The first Ctrl-C (or SIGTERM) stops after the run under way, prints what was measured (and
 * writes and compares it) and resolves to 130 (143); a second one ends the process at once.
 *
 * @example
 * const code = await benchCommand('pipeline.ts', { threads: [1, 2], nodes: true, progress: true, verbose: false }, processStreams());
 */
export async function benchCommand(
  pipelineFile: string,
  options: BenchCommandOptions,
  streams: CliStreams,
  interrupts: InterruptSource = processSignals(),
): Promise<number> {
  // Refused before the pipeline is imported: a typo should not cost a graph build.
  if (
    options.threads !== undefined &&
    options.backend !== undefined &&
    !options.backend.includes('threads')
  ) {
    throw new UsageError(
      '--threads only applies to --backend threads: remove it or add threads to --backend.',
    );
  }
  const benchesCluster = options.backend?.includes('bullmq') === true;
  if (benchesCluster && options.connection === undefined) {
    throw new UsageError(
      '--backend bullmq needs --connection redis://HOST:PORT, the Redis server its workers use.',
    );
  }
  if (!benchesCluster && (options.connection !== undefined || options.queue !== undefined)) {
    const option = options.connection !== undefined ? '--connection' : '--queue';
    throw new UsageError(`${option} only applies to --backend bullmq: remove it or add bullmq to --backend.`);
  }
  if (options.json !== undefined) checkOutputFiles([{ option: '--json', file: options.json }]);
  const earlier = options.compare === undefined ? undefined : readBenchFile(options.compare);

  const pipeline = await loadPipeline(pipelineFile);
  if (earlier !== undefined && earlier.pipeline !== pipeline.workflowName) {
    throw new UsageError(
      `--compare ${JSON.stringify(options.compare)} measured pipeline "${earlier.pipeline}", not "${pipeline.workflowName}": compare benchmarks of one pipeline.`,
    );
  }
  const say = (text: string) => {
    if (options.progress) streams.stderr.write(`functionfuse: bench ${pipeline.workflowName}: ${text}\n`);
  };

  const stop = new AbortController();
  let interruptedBy: InterruptSignal | undefined;
  const stopListening = interrupts.listen((signal) => {
    interruptedBy = signal;
    streams.stderr.write(
      `functionfuse: bench ${pipeline.workflowName}: stopping after the run under way (${signal}; again to quit at once)\n`,
    );
    stop.abort(new Error(`Interrupted (${signal})`));
  });
  let report: Awaited<ReturnType<typeof benchWorkflow>>;
  try {
    report = await benchWorkflow(pipeline, {
      ...(options.backend === undefined ? {} : { backends: options.backend }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.time === undefined ? {} : { timeMs: options.time }),
      ...(options.iterations === undefined ? {} : { iterations: options.iterations }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.connection === undefined ? {} : { connection: options.connection }),
      ...(options.queue === undefined ? {} : { queueName: options.queue }),
      nodes: options.nodes,
      signal: stop.signal,
      onProgress: progressPrinter(say),
    });
  } finally {
    stopListening();
  }

  const comparison = earlier === undefined ? undefined : compareBenchReports(earlier, report);
  streams.stdout.write(formatBenchReport(report, comparison));
  let exitCode: number = ExitCode.ok;
  if (earlier !== undefined && comparison !== undefined) {
    exitCode = reportComparison(earlier, comparison, options.compare as string, report.machine, streams);
  }
  if (options.json !== undefined) {
    try {
      await writeBenchFile(options.json, report, pipelineFile);
      if (options.verbose) streams.stderr.write(`functionfuse: wrote ${options.json}\n`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      streams.stderr.write(
        `functionfuse: Could not write --json ${JSON.stringify(options.json)} (${code}).\n`,
      );
      exitCode = ExitCode.failed;
    }
  }
  if (interruptedBy !== undefined)
    return interruptedBy === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
  return exitCode;
}

/** Turns benchWorkflow's progress into lines: each cold run, every 2 s of warm runs, each row's end. */
function progressPrinter(say: (text: string) => void): (progress: BenchProgress) => void {
  let lastLineAt = 0;
  return (progress) => {
    switch (progress.type) {
      case 'row-started':
        return;
      case 'cold-run':
        lastLineAt = performance.now();
        say(`${progress.label}: cold first run ${formatMs(progress.durationMs)}`);
        return;
      case 'warm-run':
        if (performance.now() - lastLineAt < progressIntervalMs) return;
        lastLineAt = performance.now();
        say(`${progress.label}: ${warmRuns(progress.runs)}, ${(progress.elapsedMs / 1000).toFixed(1)} s`);
        return;
      case 'row-finished':
        say(`${progress.label}: ${warmRuns(progress.runs)}, median ${formatMs(progress.medianMs)}`);
        return;
    }
  };
}

function warmRuns(runs: number): string {
  return `${runs} warm run${runs === 1 ? '' : 's'}`;
}

/** Says which rows are slower than in the earlier file; 1 when one is. */
function reportComparison(
  earlier: BenchFile,
  comparison: readonly BenchComparison[],
  file: string,
  machine: BenchFile['machine'],
  streams: CliStreams,
): number {
  const then = earlier.machine;
  if (
    then === undefined ||
    then.cpu !== machine.cpu ||
    then.cores !== machine.cores ||
    then.node !== machine.node
  ) {
    const where =
      then === undefined
        ? 'a machine it does not name'
        : `${then.cpu}, ${then.cores} cores, Node ${then.node}`;
    streams.stderr.write(
      `functionfuse: note: ${file} was measured on another machine or Node (${where}): the comparison says little.\n`,
    );
  }
  const slower = comparison.filter((row) => row.verdict === 'slower');
  if (slower.length === 0) return ExitCode.ok;
  const rows = slower.map((row) => `${row.label} (+${(row.changePercent ?? 0).toFixed(1)} %)`).join(', ');
  streams.stderr.write(
    `functionfuse: ${slower.length} row${slower.length === 1 ? '' : 's'} slower than in ${file} beyond the margins of error: ${rows}.\n`,
  );
  return ExitCode.failed;
}
