/**
 * `functionfuse graph <pipeline> --out FILE`: draws a pipeline's graph without running it.
 */
import { LocalWorkflow } from '../backends/local-workflow.js';
import { ExitCode } from './cli-errors.js';
import type { CliStreams } from './cli-streams.js';
import { writeDrawing } from './draw-graph.js';
import { drawingFormatOf } from './option-parsers.js';
import { loadPipeline } from './pipeline-module.js';

const formatNames = { svg: 'SVG', dot: 'DOT', mmd: 'Mermaid' } as const;

/**
 * The options of `functionfuse graph`, as parsed from the command line.
 *
 * @example
 * const options: GraphCommandOptions = { out: 'docs/pipeline.svg' };
 */
export interface GraphCommandOptions {
  /** The file to write; its extension (`.svg`, `.dot`, `.mmd`) picks the format. */
  readonly out: string;
}

/**
 * Writes the drawing of the pipeline's workflow (the nodes a run would run, in its waves), says
 * what it wrote in one line on stderr, and resolves to the exit code. The pipeline's `setup` is
 * not called: nothing runs.
 *
 * @example
 * await graphCommand('pipeline.ts', { out: 'pipeline.mmd' }, processStreams());
 * // stderr: functionfuse: Wrote the graph of workflow "demo" (3 nodes, Mermaid) to pipeline.mmd.
 */
export async function graphCommand(
  pipelineFile: string,
  options: GraphCommandOptions,
  streams: CliStreams,
): Promise<number> {
  const format = drawingFormatOf(options.out, '--out');
  const pipeline = await loadPipeline(pipelineFile);
  // A LocalWorkflow is only built to get the node set and canonical order every backend shares;
  // building one starts nothing.
  const workflow = new LocalWorkflow(pipeline.leaves, { workflowName: pipeline.workflowName });
  await writeDrawing(workflow, options.out, format);
  const nodes = [...workflow.graphTraversal()].length;
  streams.stderr.write(
    `functionfuse: Wrote the graph of workflow ${JSON.stringify(pipeline.workflowName)} ` +
      `(${nodes} ${nodes === 1 ? 'node' : 'nodes'}, ${formatNames[format]}) to ${options.out}.\n`,
  );
  return ExitCode.ok;
}
