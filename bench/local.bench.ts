/**
 * LocalWorkflow on a big graph: layered graphs of trivial nodes (layers of width 100, each node
 * depending on two nodes of the layer before) at 10,000, 100,000 and 1,000,000 nodes.
 *
 * Each repetition builds a fresh graph and times, one after the other: the build (the task()
 * calls), the plan (`findNodes()`: node set, canonical order, edges), the first run, and a
 * rerun of the same workflow (its plan kept). The first run of a big graph is build + plan +
 * run. Baseline, measured in every repetition of the same run: the same additions computed by a
 * hand-written loop over arrays, which is what the graph costs beyond the work itself.
 * Retained bytes: the heap (and typed-array memory) the graph and its plan keep, after a full
 * garbage collection, per node. Figures are medians of the repetitions (BENCH_REPEAT at 1M,
 * twice as many at 100k, four times at 10k), with their range.
 *
 * Budgets (issue 15): first run at most 2 µs/node at 1,000,000 nodes; at most 600 bytes/node
 * retained with the plan; a rerun no slower than before.
 *
 * Run: npm run build && node --expose-gc --import tsx bench/local.bench.ts
 *      (BENCH_ONLY=10k,100k or BENCH_ONLY=1M for some sizes; BENCH_REPEAT=n repetitions)
 */
import { LocalWorkflow, type Node } from 'functionfuse';
import { combine, seed } from './local-tasks.js';
import { collectGarbage, type FigureRow, report, round } from './support.js';

const width = 100;
const sizes: [string, number][] = [
  ['10k', 10_000],
  ['100k', 100_000],
  ['1M', 1_000_000],
];
const only = process.env['BENCH_ONLY']?.split(',');
const repeat = Number(process.env['BENCH_REPEAT'] ?? 5);
const firstRunBudgetUs = 2;
const bytesBudget = 600;

function buildLayers(nodeCount: number): Node<number>[] {
  let layer: Node<number>[] = Array.from({ length: width }, (_, index) => seed(index));
  for (let built = width; built < nodeCount; built += width) {
    const previous = layer;
    layer = previous.map((_, index) =>
      combine(previous[index] as Node<number>, previous[(index + 1) % width] as Node<number>),
    );
  }
  return layer;
}

function handWritten(nodeCount: number): number[] {
  let layer = Array.from({ length: width }, (_, index) => index);
  for (let built = width; built < nodeCount; built += width) {
    const previous = layer;
    layer = previous.map(
      (_, index) => (previous[index] as number) + (previous[(index + 1) % width] as number),
    );
  }
  return layer;
}

/** Milliseconds of each step of one repetition on a fresh graph. */
interface Repetition {
  readonly build: number;
  readonly plan: number;
  readonly run: number;
  readonly rerun: number;
  readonly handWritten: number;
}

async function repetition(nodeCount: number): Promise<Repetition> {
  // Before a big graph, the previous repetition's garbage (hundreds of MB) must not weigh on
  // this one. Not before small ones: the next few ms after a forced full collection run several
  // times slower, which would be most of a 10,000-node repetition.
  if (nodeCount >= 1_000_000) collectGarbage();
  let started = performance.now();
  const expected = handWritten(nodeCount);
  const handWrittenMs = performance.now() - started;
  started = performance.now();
  const leaves = buildLayers(nodeCount);
  const build = performance.now() - started;
  started = performance.now();
  const workflow = new LocalWorkflow(leaves, { workflowName: 'bench' });
  workflow.findNodes();
  const plan = performance.now() - started;
  started = performance.now();
  const first = await workflow.run();
  const run = performance.now() - started;
  started = performance.now();
  const again = await workflow.run();
  const rerun = performance.now() - started;
  if (first[7] !== expected[7] || again[7] !== expected[7]) throw new Error('the graph computed a wrong sum');
  return { build, plan, run, rerun, handWritten: handWrittenMs };
}

/** Bytes the graph and its plan keep, per node: heap and typed arrays' memory, after full GCs. */
function retainedBytesPerNode(nodeCount: number): number {
  const used = (): number => {
    collectGarbage();
    collectGarbage();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const before = used();
  const workflow = new LocalWorkflow(buildLayers(nodeCount), { workflowName: 'bench' });
  workflow.findNodes();
  const after = used();
  if (workflow.roots.length !== width) throw new Error('unreachable');
  return (after - before) / nodeCount;
}

/** `median (min–max)` of per-node figures in µs, from ms per repetition. */
function perNode(values: readonly number[], nodeCount: number): { median: number; text: string } {
  const sorted = values.map((ms) => (ms * 1000) / nodeCount).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const text = `${round(median)} (${round(sorted[0] as number)}–${round(sorted[sorted.length - 1] as number)})`;
  return { median, text };
}

if ((globalThis as { gc?: unknown }).gc === undefined) {
  console.warn('Run with node --expose-gc for retained bytes and steadier times.');
}
// Warms the code up, so that no size pays for the compiler (on a busy machine its thread
// takes long enough to leave a whole 10,000-node run in the interpreter).
for (let index = 0; index < 3; index++) await repetition(100_000);
const rows: FigureRow[] = [];
for (const [label, nodeCount] of sizes) {
  if (only !== undefined && !only.includes(label)) continue;
  const bytes = retainedBytesPerNode(nodeCount);
  const repetitions: Repetition[] = [];
  // Small sizes take a few ms a step, where one hiccup of a shared machine is the whole
  // figure: more repetitions for them.
  const count = nodeCount >= 1_000_000 ? repeat : nodeCount >= 100_000 ? repeat * 2 : repeat * 4;
  for (let index = 0; index < count; index++) repetitions.push(await repetition(nodeCount));
  const of = (step: keyof Repetition) =>
    perNode(
      repetitions.map((each) => each[step]),
      nodeCount,
    );
  const firstRun = perNode(
    repetitions.map((each) => each.build + each.plan + each.run),
    nodeCount,
  );
  rows.push({
    nodes: nodeCount,
    'build µs/node': of('build').text,
    'plan µs/node': of('plan').text,
    'run µs/node': of('run').text,
    'first run µs/node': firstRun.text,
    'rerun µs/node': of('rerun').text,
    'hand-written µs/node': of('handWritten').text,
    'rerun overhead µs/node': round(of('rerun').median - of('handWritten').median),
    'bytes/node': Math.round(bytes),
    budget:
      nodeCount === 1_000_000
        ? `first run ≤ ${firstRunBudgetUs}: ${firstRun.median <= firstRunBudgetUs ? 'met' : 'not met'}; ≤ ${bytesBudget} B: ${bytes <= bytesBudget ? 'met' : 'not met'}`
        : `≤ ${bytesBudget} B: ${bytes <= bytesBudget ? 'met' : 'not met'}`,
  });
}
report('local', rows);
