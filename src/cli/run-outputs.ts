/**
 * What `functionfuse run` writes once the run has ended: the trace, report and drawing asked
 * for, then the results. Each write stands alone: one that fails is reported by name and does
 * not stop the others, and never costs the results.
 */
import { writeFile } from 'node:fs/promises';
import type { Node } from '../graph/node.js';
import type { NodeOutcome } from '../graph-drawing/drawing-model.js';
import { writeRunReport } from '../report/run-report.js';
import { writeChromeTrace } from '../trace/chrome-trace.js';
import type { RunRecording } from '../trace/run-recorder.js';
import type { BaseWorkflow } from '../workflow/base-workflow.js';
import type { CliStreams } from './cli-streams.js';
import { formatCompleteResultJson } from './complete-json.js';
import { writeDrawing } from './draw-graph.js';
import type { DrawingFormat } from './option-parsers.js';
import { formatResultJson, holdsBinary } from './result-json.js';

/**
 * A file that could not be written after the run.
 *
 * @example
 * const failure: WriteFailure = { option: '--report', file: 'run.html', error };
 */
export interface WriteFailure {
  readonly option: string;
  readonly file: string;
  readonly error: unknown;
}

/**
 * The files to write after a run, as given on the command line (checked before the run by
 * output-paths.ts).
 *
 * @example
 * const files: RunOutputFiles = { trace: 'run.json', graph: 'run.svg', graphFormat: 'svg' };
 */
export interface RunOutputFiles {
  readonly trace?: string | undefined;
  readonly report?: string | undefined;
  readonly graph?: string | undefined;
  readonly graphFormat?: DrawingFormat | undefined;
  readonly out?: string | undefined;
}

/**
 * Writes the trace, report and drawing asked for, each from the same recording; resolves to
 * the files written and those that failed.
 *
 * @example
 * const { written, failures } = await writeRunOutputs(recorder.recording(), workflow, files, 'LocalWorkflow');
 */
export async function writeRunOutputs(
  recording: RunRecording,
  workflow: BaseWorkflow,
  files: RunOutputFiles,
  backendLabel: string,
): Promise<{ written: string[]; failures: WriteFailure[] }> {
  const written: string[] = [];
  const failures: WriteFailure[] = [];
  const attempt = async (
    option: string,
    file: string | undefined,
    write: (file: string) => Promise<void>,
  ) => {
    if (file === undefined) return;
    try {
      await write(file);
      written.push(file);
    } catch (error) {
      failures.push({ option, file, error });
    }
  };
  await attempt('--trace', files.trace, (file) => writeChromeTrace(file, recording));
  await attempt('--report', files.report, (file) =>
    writeRunReport(file, recording, { backend: backendLabel }),
  );
  const graphFormat = files.graphFormat;
  if (graphFormat !== undefined) {
    const outcomeOf = new Map<Node, NodeOutcome>(
      recording.nodes.map((record) => [record.node, record.outcome]),
    );
    await attempt('--graph', files.graph, (file) =>
      writeDrawing(workflow, file, graphFormat, { nodeClass: (node) => outcomeOf.get(node) }),
    );
  }
  return { written, failures };
}

/**
 * Writes the results: in full to `--out`, else on stdout, in full when stdout is a file or a
 * pipe and summarised (typed arrays and buffers) when it is a terminal, with a line on stderr
 * saying where the full values are. A failed `--out` still prints them on stdout.
 *
 * @example
 * const failure = await writeResults(result, undefined, streams);
 */
export async function writeResults(
  result: unknown,
  out: string | undefined,
  streams: CliStreams,
): Promise<{ written: string[]; failures: WriteFailure[] }> {
  if (out !== undefined) {
    try {
      await writeFile(out, `${formatCompleteResultJson(result)}\n`);
      return { written: [out], failures: [] };
    } catch (error) {
      printResults(result, streams);
      return { written: [], failures: [{ option: '--out', file: out, error }] };
    }
  }
  printResults(result, streams);
  return { written: [], failures: [] };
}

function printResults(result: unknown, streams: CliStreams): void {
  if (streams.stdout.isTTY !== true) {
    streams.stdout.write(`${formatCompleteResultJson(result)}\n`);
    return;
  }
  streams.stdout.write(`${formatResultJson(result)}\n`);
  if (holdsBinary(result)) {
    streams.stderr.write(
      'functionfuse: Typed arrays and buffers are summarised on a terminal: write every value with --out FILE or > FILE.\n',
    );
  }
}

/**
 * The line for a file that could not be written, naming the option and the file.
 *
 * @example
 * describeWriteFailure({ option: '--report', file: 'run.html', error }, true);
 * // 'functionfuse: Could not write --report "run.html" after the run (EACCES: permission denied, ...); the results were printed.'
 */
export function describeWriteFailure(failure: WriteFailure, resultsPrinted: boolean): string {
  const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
  const reason = message.split(/\r?\n/)[0];
  const consequence =
    failure.option === '--out'
      ? '; the results were printed on stdout instead'
      : resultsPrinted
        ? '; the results were still written'
        : '';
  return `functionfuse: Could not write ${failure.option} ${JSON.stringify(failure.file)} after the run (${reason})${consequence}.`;
}
