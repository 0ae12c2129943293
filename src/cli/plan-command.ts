/**
 * `functionfuse plan <pipeline> --storage DIR`: what `functionfuse run` would do with the
 * storage, without running anything: each node as cached, stale (with what changed), missing
 * or never stored, then the nodes that would run.
 */
import { LocalWorkflow } from '../backends/local-workflow.js';
import { RandomStatePlugin } from '../plugins/random-state-plugin.js';
import { staleReasonText } from '../storage/cache-key.js';
import type { PlannedNode, PlannedStatus, RunPlan } from '../workflow/run-plan.js';
import type { StoredResultTrust } from '../workflow/storage-options.js';
import { ExitCode } from './cli-errors.js';
import type { CliStreams } from './cli-streams.js';
import { loadPipeline } from './pipeline-module.js';
import { openFileStorage } from './storage-option.js';

/**
 * The options of `functionfuse plan`, as parsed from the command line.
 *
 * @example
 * await planCommand('pipeline.ts', { storage: './store', trust: 'key' }, streams);
 */
export interface PlanCommandOptions {
  readonly storage: string;
  /** As `functionfuse run --seed`: seeds are part of the keys, so plan with the seed you run with. */
  readonly seed?: number | undefined;
  /** @default 'key' */
  readonly trust: StoredResultTrust;
}

const statusLabels: Readonly<Record<PlannedStatus, string>> = {
  cached: 'cached',
  stale: 'stale',
  missing: 'missing',
  unreadable: 'unreadable',
  'not-stored': 'not stored',
};

/**
 * Plans a run of a pipeline module and prints the plan on stdout; resolves to 0. The graph is
 * built (the module's default export and its `setup` run) but no node runs: the same keys and
 * the same comparison a run makes, from each record's header.
 *
 * @example
 * await planCommand('pipeline.ts', { storage: './store', trust: 'key' }, processStreams());
 * // Workflow "demo" in ./store: 2 of 3 nodes would run.
 * //   cached   first
 * //   stale    second  code changed
 * //   missing  summary
 * // Would run: second, summary
 */
export async function planCommand(
  pipelineFile: string,
  options: PlanCommandOptions,
  streams: CliStreams,
): Promise<number> {
  const storage = openFileStorage(options.storage);
  const pipeline = await loadPipeline(pipelineFile);
  // Where nodes would run does not change their keys: the main-thread backend plans for all.
  const workflow = new LocalWorkflow(pipeline.leaves, { workflowName: pipeline.workflowName });
  if (options.seed !== undefined) workflow.query().setPlugin(new RandomStatePlugin({ seed: options.seed }));
  workflow.setStorage(storage, { trust: options.trust });
  await pipeline.setup?.(workflow);
  streams.stdout.write(formatPlan(await workflow.planRun(), options.storage));
  return ExitCode.ok;
}

/**
 * A plan as `functionfuse plan` prints it: a heading, one line per node in canonical order
 * (status, name, what changed), and the nodes that would run.
 *
 * @example
 * formatPlan(await wf.planRun(), './store');
 */
export function formatPlan(plan: RunPlan, storageLabel: string): string {
  const statusWidth = Math.max(...plan.nodes.map((node) => statusLabels[node.status].length));
  const nameWidth = Math.max(...plan.nodes.map((node) => node.name.length));
  const trusted = plan.trust === 'name' ? ' (stored results trusted by name)' : '';
  const lines = [
    `Workflow ${JSON.stringify(plan.workflowName)} in ${storageLabel}${trusted}: ` +
      `${plan.toRun.length} of ${plan.nodes.length} nodes would run.`,
    ...plan.nodes.map((node) => `  ${nodeLine(node, statusWidth, nameWidth)}`.trimEnd()),
    `Would run: ${plan.toRun.length === 0 ? 'nothing' : plan.toRun.join(', ')}`,
  ];
  return `${lines.join('\n')}\n`;
}

function nodeLine(node: PlannedNode, statusWidth: number, nameWidth: number): string {
  const why = node.reasons.map((reason) => staleReasonText[reason]).join(', ');
  return `${statusLabels[node.status].padEnd(statusWidth)}  ${node.name.padEnd(nameWidth)}  ${why}`;
}
