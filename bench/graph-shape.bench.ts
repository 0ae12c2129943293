/**
 * Graph building at the shapes that used to be quadratic or to overflow the stack: one node
 * with 30,000 and 100,000 node arguments (its parents are collected in linear time), and one
 * argument nested 100,000 deep (walked with a loop, not recursion). Baseline, measured in the
 * same run: building the same number of one-parent nodes, the cost of the nodes themselves.
 *
 * Run: npm run build && node --expose-gc --import tsx bench/graph-shape.bench.ts
 */
import { type Node, task } from 'functionfuse';
import { collectGarbage, type FigureRow, report, round } from './support.js';

const leaf = task(function shapeLeaf(index: number) {
  return index;
});
const gather = task(function shapeGather(...values: number[]) {
  return values.length;
});

/** Best of three, in ms: building is deterministic, the minimum is the least disturbed run. */
function bestOfThree(build: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    collectGarbage();
    const started = performance.now();
    build();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

function nested(depth: number, bottom: unknown): unknown {
  let value: unknown = bottom;
  for (let level = 0; level < depth; level++) value = [value];
  return value;
}

const rows: FigureRow[] = [];
for (const count of [30_000, 100_000]) {
  const parents: Node<number>[] = Array.from({ length: count }, (_, index) => leaf(index));
  const wideMs = bestOfThree(() => gather(...parents));
  const baselineMs = bestOfThree(() => {
    for (const parent of parents) gather(parent);
  });
  rows.push({
    shape: `one node, ${count.toLocaleString('en')} node arguments`,
    ms: round(wideMs),
    baseline: `${count.toLocaleString('en')} one-parent nodes`,
    baselineMs: round(baselineMs),
    ratio: round(wideMs / baselineMs),
  });
}
const deepArgument = nested(100_000, leaf(0)) as number;
const deepMs = bestOfThree(() => gather(deepArgument));
rows.push({
  shape: 'one argument nested 100,000 deep',
  ms: round(deepMs),
  baseline: '-',
  baselineMs: '-',
  ratio: '-',
});
report('graph-shape', rows);
