/**
 * Stateful nodes and plugins on threads, against baselines measured in the same run:
 *   1. actor call overhead: 2,000 chained calls on one actor vs 2,000 awaited Comlink calls
 *      on a hand-made worker, kept from run to run as ThreadWorkflow keeps its actor threads
 *      (and, to show what keeping them saves, on a worker started for each run);
 *   2. RandomStatePlugin: 4,000 trivial nodes with and without it, per node, on both backends.
 *
 * Run: npm run build && npx tsx bench/actors.bench.ts
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { releaseProxy, wrap } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { LocalWorkflow, type Node, RandomStatePlugin, ThreadWorkflow } from 'functionfuse';
import { Bench } from 'tinybench';
import { Counter, draw } from './fixtures/bench-tasks.mjs';
import { type FigureRow, medianMs, report, round } from './support.js';

const rows: FigureRow[] = [];
const calls = 2_000;

async function actorCalls(): Promise<void> {
  const counter = Counter();
  let last: Node<number> = counter.add(1);
  for (let call = 1; call < calls; call++) last = counter.add(1);
  const threaded = new ThreadWorkflow(last, { workflowName: 'actor-calls', threads: 2 });
  const rawWorker = fileURLToPath(new URL('./fixtures/raw-comlink-worker.mjs', import.meta.url));
  type RawCounter = { reset(): Promise<void>; add(value: number): Promise<number> };
  // Same lifetime as ours: one worker for every run, a fresh object in it for each.
  const keptWorker = new Worker(rawWorker);
  const kept = wrap<RawCounter>(nodeEndpoint(keptWorker));
  const suite = new Bench({ time: 1, iterations: 5, warmupIterations: 1, warmupTime: 1 })
    .add('actor on ThreadWorkflow', () => threaded.run().then(() => undefined))
    .add('Comlink by hand, worker kept', async () => {
      await kept.reset();
      for (let call = 0; call < calls; call++) await kept.add(1);
    })
    .add('Comlink by hand, a worker per run', async () => {
      const worker = new Worker(rawWorker);
      const remote = wrap<RawCounter>(nodeEndpoint(worker));
      for (let call = 0; call < calls; call++) await remote.add(1);
      remote[releaseProxy]();
      await worker.terminate();
    });
  await suite.run();
  await threaded.close();
  kept[releaseProxy]();
  await keptWorker.terminate();
  const ourMs = medianMs(suite, 'actor on ThreadWorkflow');
  for (const lifetime of ['worker kept', 'a worker per run'] as const) {
    const rawMs = medianMs(suite, `Comlink by hand, ${lifetime}`);
    rows.push({
      benchmark: `actor, ${calls} chained calls per run (its thread kept between runs)`,
      ours: `${round((ourMs * 1000) / calls)} µs/call`,
      baseline: `${round((rawMs * 1000) / calls)} µs/call Comlink by hand, ${lifetime}`,
      ratio: round(ourMs / rawMs),
    });
  }
}

async function randomState(): Promise<void> {
  const count = 4_000;
  const nodes = Array.from({ length: count }, (_, index) => draw(index));
  const plain = {
    local: new LocalWorkflow(nodes, { workflowName: 'plain' }),
    threads: new ThreadWorkflow(nodes, { workflowName: 'plain', threads: 2 }),
  };
  const seeded = {
    local: new LocalWorkflow(nodes, { workflowName: 'seeded' }),
    threads: new ThreadWorkflow(nodes, { workflowName: 'seeded', threads: 2 }),
  };
  seeded.local.query().setPlugin(new RandomStatePlugin({ seed: 1 }));
  seeded.threads.query().setPlugin(new RandomStatePlugin({ seed: 1 }));
  await plain.threads.run();
  await seeded.threads.run();
  const suite = new Bench({ time: 1, iterations: 10, warmupIterations: 1, warmupTime: 1 });
  for (const backend of ['local', 'threads'] as const) {
    suite.add(`${backend} plain`, () => plain[backend].run().then(() => undefined));
    suite.add(`${backend} seeded`, () => seeded[backend].run().then(() => undefined));
  }
  await suite.run();
  await Promise.all([plain.threads.close(), seeded.threads.close()]);
  for (const backend of ['local', 'threads'] as const) {
    const plainMs = medianMs(suite, `${backend} plain`);
    const seededMs = medianMs(suite, `${backend} seeded`);
    rows.push({
      benchmark: `RandomStatePlugin, ${count} trivial nodes, ${backend === 'local' ? 'LocalWorkflow' : 'ThreadWorkflow (2 threads)'}`,
      ours: `+${round(((seededMs - plainMs) * 1000) / count)} µs/node (${round(seededMs)} ms per run)`,
      baseline: `${round(plainMs)} ms per run without the plugin`,
      ratio: round(seededMs / plainMs),
    });
  }
}

await actorCalls();
await randomState();
report('actors', rows);
