/**
 * `functionfuse run <pipeline>`: builds the pipeline's graph, runs it on the chosen backend
 * with progress on stderr, writes the trace, report and drawing asked for, and prints the
 * results as JSON on stdout.
 */
import { LocalWorkflow } from '../backends/local-workflow.js';
import { ThreadWorkflow } from '../backends/thread-workflow.js';
import type { Node } from '../graph/node.js';
import type { Leaves } from '../graph/types.js';
import type { NodeOutcome } from '../graph-drawing/drawing-model.js';
import { RandomStatePlugin } from '../plugins/random-state-plugin.js';
import { ProgressReporter } from '../progress/progress-reporter.js';
import { writeRunReport } from '../report/run-report.js';
import { writeChromeTrace } from '../trace/chrome-trace.js';
import { RunRecorder, type RunRecording } from '../trace/run-recorder.js';
import type { BaseWorkflow } from '../workflow/base-workflow.js';
import { ExitCode, formatError, UsageError } from './cli-errors.js';
import type { CliStreams } from './cli-streams.js';
import { writeDrawing } from './draw-graph.js';
import { type DrawingFormat, drawingFormatOf } from './option-parsers.js';
import { loadPipeline } from './pipeline-module.js';
import { formatResultJson } from './result-json.js';
import { type CliFileStorage, openFileStorage } from './storage-option.js';

/**
 * The options of `functionfuse run`, as parsed from the command line.
 *
 * @example
 * await runCommand('pipeline.ts', { backend: 'threads', threads: 2, progress: false, verbose: false }, streams);
 */
export interface RunCommandOptions {
  /** @default 'threads' */
  readonly backend: 'local' | 'threads';
  /** Worker threads; only with the threads backend. @default os.availableParallelism() */
  readonly threads?: number | undefined;
  readonly storage?: string | undefined;
  readonly trace?: string | undefined;
  readonly report?: string | undefined;
  readonly graph?: string | undefined;
  readonly seed?: number | undefined;
  /** @default true */
  readonly progress: boolean;
  /** @default false */
  readonly verbose: boolean;
}

/**
 * Runs a pipeline module and resolves to the exit code (0: every node ran). A failed node
 * rejects with its error after the trace, report and drawing were written, since a picture of
 * a failed run is the one most needed.
 *
 * @example
 * const code = await runCommand('examples/pipeline.ts', { backend: 'local', progress: true, verbose: false }, processStreams());
 */
export async function runCommand(
  pipelineFile: string,
  options: RunCommandOptions,
  streams: CliStreams,
): Promise<number> {
  // Everything that can be refused is checked before the pipeline module is imported: a typo
  // in an option should not cost a graph build.
  if (options.threads !== undefined && options.backend !== 'threads') {
    throw new UsageError('--threads only applies to --backend threads: remove it or add --backend threads.');
  }
  const graphFormat = options.graph === undefined ? undefined : drawingFormatOf(options.graph, '--graph');
  const storage = options.storage === undefined ? undefined : openFileStorage(options.storage);

  const pipeline = await loadPipeline(pipelineFile);
  const { workflow, backendLabel } = createWorkflow(pipeline.leaves, pipeline.workflowName, options);
  try {
    configure(workflow, options.seed, storage);
    await pipeline.setup?.(workflow);

    const wantsRecording =
      options.trace !== undefined || options.report !== undefined || graphFormat !== undefined;
    const recorder = wantsRecording
      ? new RunRecorder(workflow, options.backend === 'local' ? { failedThreadId: 0 } : {})
      : undefined;
    const progress = options.progress
      ? new ProgressReporter(workflow, { stream: streams.stderr, retryLines: options.verbose })
      : undefined;

    // The first Ctrl-C cancels the run (running nodes are stopped, the trace and report are
    // still written); `once` leaves the second to Node's default, which ends the process.
    const interrupt = new AbortController();
    const onInterrupt = () => interrupt.abort(new Error('Interrupted (SIGINT)'));
    process.once('SIGINT', onInterrupt);
    let result: unknown;
    let runError: { error: unknown } | undefined;
    try {
      result = await workflow.run({ signal: interrupt.signal });
    } catch (error) {
      runError = { error };
    } finally {
      process.off('SIGINT', onInterrupt);
      progress?.stop();
    }

    if (recorder !== undefined) {
      try {
        await writeRunOutputs(recorder.recording(), workflow, options, graphFormat, backendLabel, streams);
      } catch (error) {
        // The run's own failure is the one to report; a trace that could not be written as
        // well is said on a line of its own.
        if (runError === undefined) throw error;
        streams.stderr.write(`${formatError(error, options.verbose)}\n`);
      }
    }

    if (runError !== undefined) throw runError.error;
    streams.stdout.write(`${formatResultJson(result)}\n`);
    return ExitCode.ok;
  } finally {
    if (workflow instanceof ThreadWorkflow) await workflow.close();
  }
}

/** Writes the trace, report and drawing asked for, each from the same recording. */
async function writeRunOutputs(
  recording: RunRecording,
  workflow: BaseWorkflow,
  options: RunCommandOptions,
  graphFormat: DrawingFormat | undefined,
  backendLabel: string,
  streams: CliStreams,
): Promise<void> {
  const written: string[] = [];
  if (options.trace !== undefined) {
    await writeChromeTrace(options.trace, recording);
    written.push(options.trace);
  }
  if (options.report !== undefined) {
    await writeRunReport(options.report, recording, { backend: backendLabel });
    written.push(options.report);
  }
  if (options.graph !== undefined && graphFormat !== undefined) {
    const outcomeOf = new Map<Node, NodeOutcome>(
      recording.nodes.map((record) => [record.node, record.outcome]),
    );
    await writeDrawing(workflow, options.graph, graphFormat, { nodeClass: (node) => outcomeOf.get(node) });
    written.push(options.graph);
  }
  if (options.verbose) for (const file of written) streams.stderr.write(`functionfuse: wrote ${file}\n`);
}

function createWorkflow(
  leaves: Leaves,
  workflowName: string,
  options: RunCommandOptions,
): { workflow: LocalWorkflow | ThreadWorkflow; backendLabel: string } {
  if (options.backend === 'local') {
    return { workflow: new LocalWorkflow(leaves, { workflowName }), backendLabel: 'LocalWorkflow' };
  }
  const workflow = new ThreadWorkflow(leaves, {
    workflowName,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  });
  return { workflow, backendLabel: `ThreadWorkflow (${workflow.threads} threads)` };
}

/**
 * `--seed` and `--storage` are applied before the pipeline's own `setup`, so a pipeline that
 * sets its own plugin on some nodes keeps it there.
 */
function configure(
  workflow: BaseWorkflow,
  seed: number | undefined,
  storage: CliFileStorage | undefined,
): void {
  // One plugin instance for every node: seeds are handed out in canonical order, one per node,
  // so the run gives the same draws on every backend and thread count.
  if (seed !== undefined) workflow.query().setPlugin(new RandomStatePlugin({ seed }));
  if (storage !== undefined) workflow.setStorage(storage);
}
