/**
 * LocalWorkflow overhead: build and run layered graphs of trivial nodes (layers of width 100,
 * each node depending on two nodes of the layer before), at 10,000 and 100,000 nodes.
 * Baseline, measured in the same run: the same additions computed by a hand-written loop over
 * arrays, which is what the graph costs beyond the work itself.
 *
 * Run: npm run build && node --expose-gc --import tsx bench/local.bench.ts
 */
import { LocalWorkflow, type Node } from 'functionfuse';
import { Bench } from 'tinybench';
import { combine, seed } from './local-tasks.js';
import { collectGarbage, type FigureRow, medianMs, report, round } from './support.js';

const width = 100;

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

function heapBytesPerNode(nodeCount: number): number {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const leaves = buildLayers(nodeCount);
  collectGarbage();
  const after = process.memoryUsage().heapUsed;
  if (leaves.length !== width) throw new Error('unreachable');
  return (after - before) / nodeCount;
}

const rows: FigureRow[] = [];
for (const nodeCount of [10_000, 100_000]) {
  const bench = new Bench({ time: 2_000, iterations: 5, warmupIterations: 2 });
  let workflow: LocalWorkflow<readonly Node<number>[]> | undefined;
  bench
    .add(`build ${nodeCount}`, () => {
      buildLayers(nodeCount);
    })
    .add(
      `run ${nodeCount}`,
      async () => {
        await workflow?.run();
      },
      {
        beforeAll() {
          workflow = new LocalWorkflow(buildLayers(nodeCount), { workflowName: 'bench' });
          workflow.findNodes(); // plan once, as a reused workflow would
        },
      },
    )
    .add(`hand-written ${nodeCount}`, () => {
      handWritten(nodeCount);
    });
  await bench.run();
  const buildMs = medianMs(bench, `build ${nodeCount}`);
  const runMs = medianMs(bench, `run ${nodeCount}`);
  const baselineMs = medianMs(bench, `hand-written ${nodeCount}`);
  rows.push({
    nodes: nodeCount,
    'build µs/node': round((buildMs * 1000) / nodeCount),
    'run µs/node': round((runMs * 1000) / nodeCount),
    'hand-written loop µs/node': round((baselineMs * 1000) / nodeCount),
    'run overhead µs/node': round(((runMs - baselineMs) * 1000) / nodeCount),
    'heap bytes/node': Math.round(heapBytesPerNode(nodeCount)),
  });
}
report('local', rows);
