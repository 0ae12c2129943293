/**
 * `functionfuse run <pipeline>`: builds the pipeline's graph, runs it on the chosen backend
 * with progress on stderr, writes the trace, report and drawing asked for, and prints the
 * results as JSON on stdout (or writes them to `--out`).
 */
import { BullMQWorkflow } from '../backends/bullmq-workflow.js';
import { LocalWorkflow } from '../backends/local-workflow.js';
import { ThreadWorkflow } from '../backends/thread-workflow.js';
import type { Leaves } from '../graph/types.js';
import { RandomStatePlugin } from '../plugins/random-state-plugin.js';
import { ProgressReporter } from '../progress/progress-reporter.js';
import { RunRecorder } from '../trace/run-recorder.js';
import type { BaseWorkflow } from '../workflow/base-workflow.js';
import type { StoredResultTrust } from '../workflow/storage-options.js';
import { ExitCode, RunInterruptedError, UsageError } from './cli-errors.js';
import type { CliStreams } from './cli-streams.js';
import { type InterruptSignal, type InterruptSource, processSignals } from './interrupts.js';
import { drawingFormatOf } from './option-parsers.js';
import { checkOutputFiles } from './output-paths.js';
import { loadPipeline } from './pipeline-module.js';
import { describeWriteFailure, writeResults, writeRunOutputs } from './run-outputs.js';
import { type CliFileStorage, openFileStorage } from './storage-option.js';

/**
 * The options of `functionfuse run`, as parsed from the command line.
 *
 * @example
 * await runCommand('pipeline.ts', { backend: 'threads', threads: 2, progress: false, verbose: false }, streams);
 */
export interface RunCommandOptions {
  /** @default 'threads' */
  readonly backend: 'local' | 'threads' | 'bullmq';
  /** Worker threads; only with the threads backend. @default os.availableParallelism() */
  readonly threads?: number | undefined;
  /** The Redis server of the bullmq backend, whose `functionfuse worker` processes run the nodes. */
  readonly connection?: string | undefined;
  /** The queue of the bullmq backend's workers. @default 'functionfuse' */
  readonly queue?: string | undefined;
  readonly storage?: string | undefined;
  /** How stored results are trusted (see StoredResultTrust). @default 'key' */
  readonly trust?: StoredResultTrust | undefined;
  readonly trace?: string | undefined;
  readonly report?: string | undefined;
  readonly graph?: string | undefined;
  /** Writes the results here in full (see parseResultJson) instead of on stdout. */
  readonly out?: string | undefined;
  readonly seed?: number | undefined;
  /** @default true */
  readonly progress: boolean;
  /** @default false */
  readonly verbose: boolean;
}

/**
 * Runs a pipeline module and resolves to the exit code (0: every node ran and every file was
 * written). A failed node rejects with its error after the trace, report and drawing were
 * written, since a picture of a failed run is the one most needed. A run cancelled through
 * `interrupts` (Ctrl-C, SIGTERM) writes them too, prints no results and rejects with
 * {@link RunInterruptedError}. A file that cannot be written after the run costs neither the
 * results nor the other files: the command prints the results, names the file and resolves
 * to 1.
 *
 * @example
 * const code = await runCommand('examples/pipeline.ts', { backend: 'local', progress: true, verbose: false }, processStreams());
 */
export async function runCommand(
  pipelineFile: string,
  options: RunCommandOptions,
  streams: CliStreams,
  interrupts: InterruptSource = processSignals(),
): Promise<number> {
  // Everything that can be refused is checked before the pipeline module is imported: a typo
  // in an option should not cost a graph build, and an unwritable output not a whole run.
  if (options.threads !== undefined && options.backend !== 'threads') {
    throw new UsageError('--threads only applies to --backend threads: remove it or add --backend threads.');
  }
  if ((options.connection === undefined) === (options.backend === 'bullmq')) {
    throw new UsageError(
      options.backend === 'bullmq'
        ? '--backend bullmq needs --connection redis://HOST:PORT, the Redis server its workers use.'
        : '--connection only applies to --backend bullmq: remove it or add --backend bullmq.',
    );
  }
  if (options.queue !== undefined && options.backend !== 'bullmq') {
    throw new UsageError('--queue only applies to --backend bullmq: remove it or add --backend bullmq.');
  }
  const graphFormat = options.graph === undefined ? undefined : drawingFormatOf(options.graph, '--graph');
  const files = { ...options, graphFormat };
  checkOutputFiles(
    (['trace', 'report', 'graph', 'out'] as const).flatMap((name) => {
      const file = options[name];
      return file === undefined ? [] : [{ option: `--${name}`, file }];
    }),
  );
  const storage = options.storage === undefined ? undefined : openFileStorage(options.storage);

  const pipeline = await loadPipeline(pipelineFile);
  const { workflow, backendLabel } = createWorkflow(pipeline.leaves, pipeline.workflowName, options);
  try {
    configure(workflow, options.seed, storage, options.trust ?? 'key');
    await pipeline.setup?.(workflow);

    const wantsRecording =
      options.trace !== undefined || options.report !== undefined || graphFormat !== undefined;
    const recorder = wantsRecording
      ? new RunRecorder(workflow, options.backend === 'local' ? { failedThreadId: 0 } : {})
      : undefined;
    const progress = options.progress
      ? new ProgressReporter(workflow, { stream: streams.stderr, retryLines: options.verbose })
      : undefined;

    // The first interrupt cancels the run (running nodes are stopped, the trace and report are
    // still written); what a second one does belongs to the source (see interrupts.ts).
    const cancel = new AbortController();
    let interruptedBy: InterruptSignal | undefined;
    const stopListening = interrupts.listen((signal) => {
      interruptedBy = signal;
      cancel.abort(new Error(`Interrupted (${signal})`));
    });
    let result: unknown;
    let runError: { error: unknown } | undefined;
    try {
      result = await workflow.run({ signal: cancel.signal });
    } catch (error) {
      runError = { error };
    } finally {
      await pendingSignalsDelivered();
      stopListening();
      progress?.stop();
    }

    const outputs =
      recorder === undefined
        ? { written: [], failures: [] }
        : await writeRunOutputs(recorder.recording(), workflow, files, backendLabel);
    const ended = interruptedBy ?? runError;
    const results = ended === undefined ? await writeResults(result, options.out, streams) : undefined;
    const failures = [...outputs.failures, ...(results?.failures ?? [])];
    for (const failure of failures)
      streams.stderr.write(`${describeWriteFailure(failure, results !== undefined)}\n`);
    if (options.verbose) {
      for (const file of [...outputs.written, ...(results?.written ?? [])]) {
        streams.stderr.write(`functionfuse: wrote ${file}\n`);
      }
    }

    if (interruptedBy !== undefined) {
      throw new RunInterruptedError(pipeline.workflowName, interruptedBy, { cause: runError?.error });
    }
    if (runError !== undefined) throw runError.error;
    return failures.length === 0 ? ExitCode.ok : ExitCode.failed;
  } finally {
    if (workflow instanceof ThreadWorkflow || workflow instanceof BullMQWorkflow) await workflow.close();
  }
}

/**
 * A signal (or a relayed interrupt) that came while a node blocked this thread is only
 * delivered by the event loop's poll phase; the run may have ended in promise callbacks before
 * one came round. Two turns of `setImmediate` take the loop through a poll phase, so such an
 * interrupt is seen before the results are taken as complete.
 */
async function pendingSignalsDelivered(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}

function createWorkflow(
  leaves: Leaves,
  workflowName: string,
  options: RunCommandOptions,
): { workflow: LocalWorkflow | ThreadWorkflow | BullMQWorkflow; backendLabel: string } {
  if (options.backend === 'local') {
    return { workflow: new LocalWorkflow(leaves, { workflowName }), backendLabel: 'LocalWorkflow' };
  }
  if (options.backend === 'bullmq') {
    const workflow = new BullMQWorkflow(leaves, {
      workflowName,
      connection: options.connection as string,
      ...(options.queue === undefined ? {} : { queueName: options.queue }),
    });
    return { workflow, backendLabel: `BullMQWorkflow (queue "${workflow.queueName}")` };
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
  trust: StoredResultTrust,
): void {
  // One plugin instance for every node: seeds are handed out in canonical order, one per node,
  // so the run gives the same draws on every backend and thread count.
  if (seed !== undefined) workflow.query().setPlugin(new RandomStatePlugin({ seed }));
  if (storage !== undefined) workflow.setStorage(storage, { trust });
}
