/**
 * Stateful nodes: an accumulator actor fed by parallel branches. Run with
 * `npx tsx examples/accumulator/main.ts [--threads N]`.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { RandomStatePlugin, ThreadWorkflow } from 'functionfuse';
import { binCount, HistogramAccumulator, measure } from './tasks.js';

const { values } = parseArgs({
  options: {
    branches: { type: 'string', default: '12' },
    samples: { type: 'string', default: '400000' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});
const branches = Number(values.branches);
const samples = Number(values.samples);

const accumulator = HistogramAccumulator().setName('accumulator');
for (let branch = 0; branch < branches; branch++) {
  accumulator.add(
    measure(samples, 0.3 + (0.4 * branch) / Math.max(1, branches - 1)).setName(`measure ${branch}`),
  );
}
const summary = accumulator.summary().setName('summary');

await using workflow = new ThreadWorkflow(summary, {
  workflowName: 'accumulator',
  threads: Number(values.threads),
});
workflow.query('measure .*').setPlugin(new RandomStatePlugin({ seed: 7 }));
const started = performance.now();
const result = await workflow.run();
console.log(
  `${result.histograms} histograms, ${result.samples} samples, mean ${result.mean.toFixed(4)} ` +
    `(${(performance.now() - started).toFixed(0)} ms)`,
);
const peak = Math.max(...result.total);
for (let bin = 0; bin < binCount; bin++) {
  const bar = '#'.repeat(Math.round((40 * (result.total[bin] as number)) / peak));
  console.log(`${((bin + 0.5) / binCount).toFixed(3)} ${bar}`);
}
