/**
 * The main job (`npm start`): a CPU-heavy Monte Carlo option-pricing pipeline, run on
 * LocalWorkflow and on ThreadWorkflow with every core. Seeded with RandomStatePlugin, so both
 * give the same answer to the last bit; the threads give it sooner.
 *
 * Options: --batches N (16), --paths N per batch (40000), --steps N (100), --threads N.
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
  },
});
const batches = Number(values.batches);
const paths = Number(values.paths);
const steps = Number(values.steps);
const threads = Number(values.threads);

const leaves = buildPipeline(batches, paths, steps);
const seeds = () => new RandomStatePlugin({ seed: 2024 });

console.log(
  `Pricing a call (spot ${option.spot}, strike ${option.strike}) with ${batches} × ${paths} paths of ${steps} steps`,
);

const local = new LocalWorkflow(leaves, { workflowName: 'monte-carlo' });
local.query('simulate batch .*').setPlugin(seeds());
let started = performance.now();
const [localEstimate, exact] = await local.run();
const localMs = performance.now() - started;

await using threaded = new ThreadWorkflow(leaves, { workflowName: 'monte-carlo', threads });
threaded.query('simulate batch .*').setPlugin(seeds());
started = performance.now();
const [threadEstimate] = await threaded.run();
const firstThreadMs = performance.now() - started;
// The first run also starts the threads and loads the TypeScript task module in each of them;
// the second shows the steady state of a pipeline that runs again (as with storage or in a loop).
started = performance.now();
const [secondEstimate] = await threaded.run();
const threadMs = performance.now() - started;

const format = (value: number) => value.toFixed(6);
console.log(`exact (Black-Scholes)  ${format(exact)}`);
console.log(
  `LocalWorkflow          ${format(localEstimate.price)} ± ${format(localEstimate.standardError)}  in ${localMs.toFixed(0)} ms`,
);
console.log(
  `ThreadWorkflow (${threads})     ${format(threadEstimate.price)} ± ${format(threadEstimate.standardError)}  in ${firstThreadMs.toFixed(0)} ms (first run, starting the threads)`,
);
console.log(
  `ThreadWorkflow (${threads})     ${format(secondEstimate.price)} ± ${format(secondEstimate.standardError)}  in ${threadMs.toFixed(0)} ms (second run)`,
);
console.log(
  `speedup ${(localMs / threadMs).toFixed(2)} × on ${threads} threads (${(localMs / firstThreadMs).toFixed(2)} × counting thread start-up)`,
);
if (threadEstimate.price !== localEstimate.price || secondEstimate.price !== localEstimate.price) {
  throw new Error('The backends disagree: seeded runs must give identical results');
}
console.log('identical results on both backends: yes');
