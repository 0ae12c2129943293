/**
 * The main job (`npm start`): a CPU-heavy Monte Carlo option-pricing pipeline, run on
 * LocalWorkflow and on ThreadWorkflow with every core. Seeded with RandomStatePlugin, so both
 * give the same answer to the last bit; the threads give it sooner. Each side runs once cold, then
 * `--runs` times warm, alternating; the speedup is the ratio of the warm medians.
 *
 * Options: --batches N (16), --paths N per batch (40000), --steps N (100), --threads N, --runs N
 * (3 warm runs of each side after the cold first one).
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { LocalWorkflow, RandomStatePlugin, ThreadWorkflow } from 'functionfuse';
import { buildPipeline, option } from './monte-carlo/pipeline.js';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '16' },
    paths: { type: 'string', default: '40000' },
    steps: { type: 'string', default: '100' },
    threads: { type: 'string', default: String(availableParallelism()) },
    runs: { type: 'string', default: '3' },
  },
});
const batches = Number(values.batches);
const paths = Number(values.paths);
const steps = Number(values.steps);
const threads = Number(values.threads);
const runs = Number(values.runs);

const leaves = buildPipeline(batches, paths, steps);
const seeds = () => new RandomStatePlugin({ seed: 2024 });

console.log(
  `Pricing a call (spot ${option.spot}, strike ${option.strike}) with ${batches} × ${paths} paths of ${steps} steps`,
);

const local = new LocalWorkflow(leaves, { workflowName: 'monte-carlo' });
local.query('simulate batch .*').setPlugin(seeds());
await using threaded = new ThreadWorkflow(leaves, { workflowName: 'monte-carlo', threads });
threaded.query('simulate batch .*').setPlugin(seeds());

/** Times one run. */
async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

// The first run of each backend is cold (JIT warm-up; on threads also starting the threads and
// loading the TypeScript task module in each): reported on its own line, out of the statistics.
const localCold = await timed(() => local.run());
const threadCold = await timed(() => threaded.run());
const localWarm: number[] = [];
const threadWarm: number[] = [];
const estimates = [localCold.value[0].price, threadCold.value[0].price];
// Alternating the two sides spreads the machine's drift over both.
for (let round = 0; round < runs; round++) {
  const localRun = await timed(() => local.run());
  const threadRun = await timed(() => threaded.run());
  localWarm.push(localRun.ms);
  threadWarm.push(threadRun.ms);
  estimates.push(localRun.value[0].price, threadRun.value[0].price);
}

const [localEstimate, exact] = localCold.value;
const [threadEstimate] = threadCold.value;
const format = (value: number) => value.toFixed(6);
const ms = (value: number) => `${value.toFixed(0)} ms`;
const spread = (values: readonly number[]) =>
  `median ${ms(median(values))} (${ms(Math.min(...values))}–${ms(Math.max(...values))}, ${values.length} warm runs)`;
console.log(`exact (Black-Scholes)  ${format(exact)}`);
console.log(`LocalWorkflow          ${format(localEstimate.price)} ± ${format(localEstimate.standardError)}`);
console.log(
  `ThreadWorkflow (${threads})     ${format(threadEstimate.price)} ± ${format(threadEstimate.standardError)}`,
);
console.log(`LocalWorkflow          ${spread(localWarm)}; cold first run ${ms(localCold.ms)}`);
console.log(
  `ThreadWorkflow (${threads})     ${spread(threadWarm)}; cold first run ${ms(threadCold.ms)} (starting the threads)`,
);
const ratios = localWarm.map((localMs, round) => localMs / (threadWarm[round] as number));
console.log(
  `speedup ${(median(localWarm) / median(threadWarm)).toFixed(2)} × on ${threads} threads (medians of warm runs; ` +
    `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} round by round; ` +
    `${(localCold.ms / threadCold.ms).toFixed(2)} × for the cold first runs)`,
);
if (estimates.some((estimate) => estimate !== localEstimate.price)) {
  throw new Error('The backends disagree: seeded runs must give identical results');
}
console.log(`identical results on both backends, in all ${estimates.length} runs: yes`);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
