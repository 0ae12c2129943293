/**
 * Soak test (a benchmark, not a unit test): 100,000 nodes on ThreadWorkflow, five runs in a
 * row on one workflow. Reports each run's time, the main thread's heap after a collection, and
 * the process's resident memory, to show that nothing grows from run to run.
 *
 * Run: npm run build && node --expose-gc --import tsx bench/soak.ts
 */
import { availableParallelism } from 'node:os';
import { type Node, ThreadWorkflow } from 'functionfuse';
import { add, noop } from './fixtures/bench-tasks.mjs';
import { collectGarbage, type FigureRow, report, round } from './support.js';

const nodeCount = 100_000;
const width = 100;
const runs = 5;

// Layers of width 100, each node depending on two nodes of the layer before.
let layer: Node<number>[] = Array.from({ length: width }, (_, index) => noop(index));
for (let built = width; built < nodeCount; built += width) {
  const previous = layer;
  layer = previous.map((_, index) =>
    add(previous[index] as Node<number>, previous[(index + 1) % width] as Node<number>),
  );
}
const workflow = new ThreadWorkflow(layer, { workflowName: 'soak', threads: availableParallelism() });
const rows: FigureRow[] = [];
let peakRssMb = 0;
const sampler = setInterval(() => {
  peakRssMb = Math.max(peakRssMb, process.memoryUsage.rss() / 2 ** 20);
}, 50);
for (let run = 1; run <= runs; run++) {
  const started = performance.now();
  await workflow.run();
  const elapsedMs = performance.now() - started;
  collectGarbage();
  const { heapUsed, rss } = process.memoryUsage();
  rows.push({
    run,
    'time (s)': round(elapsedMs / 1000),
    'µs/node': round((elapsedMs * 1000) / nodeCount),
    'heap after GC (MB)': round(heapUsed / 2 ** 20),
    'RSS (MB)': round(rss / 2 ** 20),
  });
}
clearInterval(sampler);
await workflow.close();
rows.push({ run: 'peak', 'RSS (MB)': round(peakRssMb) });
report('soak', rows);
