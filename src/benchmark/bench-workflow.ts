/**
 * `benchWorkflow`: a pipeline measured warm with tinybench on each backend and thread count,
 * storage off, every run's results checked against the first. `functionfuse bench` prints
 * what it returns.
 */
import { Bench } from 'tinybench';
import { describeValue } from '../errors.js';
import { Ref } from '../graph/node.js';
import type { Leaves } from '../graph/types.js';
import { RandomStatePlugin } from '../plugins/random-state-plugin.js';
import type { BaseWorkflow } from '../workflow/base-workflow.js';
import { type BenchBackendName, type BenchedWorkflow, benchBackends, rowLabel } from './bench-backends.js';
import {
  type BenchWorkflowOptions,
  type ResolvedBenchOptions,
  resolveBenchOptions,
} from './bench-options.js';
import { type BenchReport, type BenchRow, machine } from './bench-report.js';
import { copyStatistics } from './bench-statistics.js';
import { NodeDurations } from './node-durations.js';
import { firstLeafDifference, ResultsDifferError } from './same-results.js';

/**
 * What {@link benchWorkflow} measures: the graph's leaves, or what a pipeline module's default
 * export returns (a `PipelineGraph`): the leaves with a workflow name and a `setup` hook, called
 * with each row's workflow before its first run.
 *
 * @example
 * const pipeline: BenchPipeline = { leaves: [estimate, exact], workflowName: 'monte-carlo' };
 */
export type BenchPipeline =
  | Leaves
  | {
      readonly leaves: Leaves;
      /** @default 'benchmark' */
      readonly workflowName?: string | undefined;
      setup?: ((workflow: BaseWorkflow) => void | Promise<void>) | undefined;
    };

/**
 * Measures a pipeline on each backend and thread count: a row per backend (per thread count
 * for `threads`), each built as its own workflow, storage off, seeded with `seed` and then set
 * up by the pipeline's `setup`. Each row runs once cold (reported apart), then warm with
 * tinybench for `timeMs` and at least `iterations` runs. The results of every row's cold run
 * and last warm run must equal the first row's cold run, leaf by leaf (see
 * {@link ResultsDifferError}).
 *
 * @throws {ResultsDifferError} when a run's results differ from the first run's.
 * @throws {TypeError} for a bad option, or a `setup` that sets a storage (stored results would
 *   be read instead of computed).
 * @throws the run's own error (a {@link NodeExecutionError}) when a node fails.
 *
 * @example
 * import { benchWorkflow } from 'functionfuse';
 * import { buildPipeline } from './pipeline.js';
 * const report = await benchWorkflow({ leaves: buildPipeline(), workflowName: 'demo' }, { threads: [1, 2], seed: 42 });
 * console.table(report.rows.map((row) => ({ row: row.label, median: row.latency.p50, speedup: row.speedup })));
 */
export async function benchWorkflow(
  pipeline: BenchPipeline,
  options?: BenchWorkflowOptions,
): Promise<BenchReport> {
  const resolved = resolveBenchOptions(options);
  const graph = readPipeline(pipeline);
  const date = new Date().toISOString();
  const reference: { current: Reference | undefined } = { current: undefined };
  const rows: Omit<BenchRow, 'speedup'>[] = [];
  for (const backend of resolved.backends) {
    const threadCounts = benchBackends[backend].usesThreads ? resolved.threads : [undefined];
    for (const threads of threadCounts) {
      if (resolved.signal?.aborted) break;
      const row = await measureRow(graph, backend, threads, resolved, reference);
      if (row !== undefined) rows.push(row);
    }
  }
  const local = rows.find((row) => row.backend === 'local');
  return {
    pipeline: graph.workflowName,
    machine: machine(),
    date,
    timeMs: resolved.timeMs,
    iterations: resolved.iterations,
    seed: resolved.seed,
    rows: rows.map((row) => ({
      ...row,
      speedup: local === undefined ? undefined : local.latency.p50 / row.latency.p50,
    })),
    interrupted: resolved.signal?.aborted === true,
  };
}

/** The run every other is checked against: the first row's cold run. */
interface Reference {
  readonly label: string;
  readonly values: readonly unknown[];
}

interface PipelineParts {
  readonly leaves: Leaves;
  readonly workflowName: string;
  readonly setup: ((workflow: BaseWorkflow) => void | Promise<void>) | undefined;
}

async function measureRow(
  graph: PipelineParts,
  backend: BenchBackendName,
  threads: number | undefined,
  options: ResolvedBenchOptions,
  reference: { current: Reference | undefined },
): Promise<Omit<BenchRow, 'speedup'> | undefined> {
  const label = rowLabel(backend, threads);
  const { onProgress } = options;
  onProgress({ type: 'row-started', label });
  const benched = benchBackends[backend].create({ ...graph, threads, options });
  const durations = options.nodes ? new NodeDurations(benched.workflow) : undefined;
  try {
    await prepare(benched, graph, options.seed);
    const coldStarted = performance.now();
    const cold = await benched.run();
    const coldMs = performance.now() - coldStarted;
    onProgress({ type: 'cold-run', label, durationMs: coldMs });
    reference.current = check(graph, benched, cold, `${label} (cold first run)`, reference.current);

    if (durations !== undefined) durations.recording = true;
    let last: { value: unknown } | undefined;
    let runs = 0;
    let warmStarted = 0;
    // The cold run was the warm-up; tinybench's own would run the pipeline 16 more times.
    // The signal stops tinybench between runs; the run under way finishes and counts.
    const bench = new Bench({
      time: options.timeMs,
      iterations: options.iterations,
      warmup: false,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    bench.add(
      label,
      async () => {
        last = { value: await benched.run() };
      },
      {
        async: true,
        beforeEach() {
          if (runs === 0) warmStarted = performance.now();
        },
        // Outside the timed call: progress costs the measurement nothing.
        afterEach() {
          runs++;
          onProgress({ type: 'warm-run', label, runs, elapsedMs: performance.now() - warmStarted });
        },
      },
    );
    await bench.run();
    const result = bench.getTask(label)?.result;
    if (result?.state === 'errored') throw result.error;
    if (
      result === undefined ||
      (result.state !== 'completed' && result.state !== 'aborted-with-statistics')
    ) {
      return undefined;
    }
    if (last !== undefined)
      check(graph, benched, last.value, `${label} (warm run ${runs})`, reference.current);
    onProgress({
      type: 'row-finished',
      label,
      runs: result.latency.samplesCount,
      medianMs: result.latency.p50,
    });
    return {
      backend,
      threads,
      label,
      coldMs,
      state: result.state === 'completed' ? 'completed' : 'interrupted',
      latency: copyStatistics(result.latency),
      throughput: copyStatistics(result.throughput),
      nodes: durations?.timings(),
    };
  } finally {
    durations?.stop();
    await benched.close();
  }
}

/** Seeds, then the pipeline's setup; a storage it sets would turn runs into reads. */
async function prepare(
  benched: BenchedWorkflow,
  graph: PipelineParts,
  seed: number | undefined,
): Promise<void> {
  // One plugin for every node: seeds are handed out in canonical order, the same on every backend.
  if (seed !== undefined) benched.workflow.query().setPlugin(new RandomStatePlugin({ seed }));
  await graph.setup?.(benched.workflow);
  if (benched.workflow.storage !== undefined) {
    throw new TypeError(
      `Expected the setup of pipeline "${graph.workflowName}" to set no storage: a benchmark runs with storage ` +
        'off, since stored results would be read instead of computed. Set the storage where the pipeline is run instead.',
    );
  }
}

/** Checks a run's values against the reference, or makes them the reference when first. */
function check(
  graph: PipelineParts,
  benched: BenchedWorkflow,
  result: unknown,
  label: string,
  reference: Reference | undefined,
): Reference {
  const values = graph.leaves instanceof Ref ? [result] : (result as readonly unknown[]);
  if (reference === undefined) return { label, values };
  const difference = firstLeafDifference(benched.workflow.leaves, reference.values, values);
  if (difference !== undefined)
    throw new ResultsDifferError(graph.workflowName, label, reference.label, difference);
  return reference;
}

function readPipeline(pipeline: BenchPipeline): PipelineParts {
  if (pipeline instanceof Ref || Array.isArray(pipeline)) {
    return { leaves: pipeline as Leaves, workflowName: 'benchmark', setup: undefined };
  }
  if (pipeline === null || typeof pipeline !== 'object' || !('leaves' in pipeline)) {
    throw new TypeError(
      `Expected the pipeline to be leaves or { leaves, workflowName?, setup? }, got ${describeValue(pipeline)}`,
    );
  }
  const { leaves, workflowName = 'benchmark', setup } = pipeline;
  if (typeof workflowName !== 'string' || workflowName.length === 0) {
    throw new TypeError(
      `Expected \`workflowName\` to be a non-empty string, got ${describeValue(workflowName)}`,
    );
  }
  if (setup !== undefined && typeof setup !== 'function') {
    throw new TypeError(`Expected \`setup\` to be a function, got ${describeValue(setup)}`);
  }
  return { leaves, workflowName, setup };
}
