/**
 * ThreadWorkflow against its baselines, each measured in the same run:
 *   1. speedup: 8 independent ~100 ms nodes, LocalWorkflow vs ThreadWorkflow;
 *   2. per-node overhead: 4,000 trivial independent nodes vs raw Piscina running 4,000 tasks;
 *   3. latency: a chain of 1,000 trivial nodes vs a raw Piscina await-loop of 1,000 tasks;
 *   4. transfer: an 80 MB Float64Array through a chain of 6 nodes, per hop, vs one
 *      structuredClone of it; and the cost of a second consumer (which receives a copy);
 *   5. cold start: first result on a fresh pool, JavaScript vs TypeScript task modules;
 *   6. memory: a chain of 50 nodes each returning a fresh 100 MB array, peak resident memory
 *      (in a child process, see memory-chain.ts).
 * Every figure is the median of several runs.
 *
 * Run: npm run build && npx tsx bench/threads.bench.ts (BENCH_ONLY=overhead,latency for some cases)
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { LocalWorkflow, type Node, ThreadWorkflow } from 'functionfuse';
import { Piscina } from 'piscina';
import { Bench } from 'tinybench';
import { makeArray, noop, spin, sumAll, touch } from './fixtures/bench-tasks.mjs';
import { calibrateSpin, type FigureRow, medianMs, report, round } from './support.js';

const threads = availableParallelism();
const rawWorker = fileURLToPath(new URL('./fixtures/raw-piscina-worker.mjs', import.meta.url));
const rows: FigureRow[] = [];

function bench(iterations: number): Bench {
  return new Bench({ time: 1, iterations, warmupIterations: 1, warmupTime: 1 });
}

async function speedup(): Promise<void> {
  const iterations = calibrateSpin(100);
  const nodes = Array.from({ length: 8 }, () => spin(iterations));
  const local = new LocalWorkflow(nodes, { workflowName: 'speedup' });
  const threaded = new ThreadWorkflow(nodes, { workflowName: 'speedup', threads });
  const suite = bench(5)
    .add('local', () => local.run().then(() => undefined))
    .add('threads', () => threaded.run().then(() => undefined));
  await suite.run();
  await threaded.close();
  const localMs = medianMs(suite, 'local');
  const threadMs = medianMs(suite, 'threads');
  rows.push({
    benchmark: '1. speedup, 8 × 100 ms nodes',
    ours: `${round(threadMs)} ms on ${threads} threads`,
    baseline: `${round(localMs)} ms LocalWorkflow`,
    ratio: round(localMs / threadMs),
    budget: `≥ ${round(0.92 * threads)} (0.92 × cores)`,
  });
}

async function perNodeOverhead(): Promise<void> {
  const count = 4_000;
  const nodes = Array.from({ length: count }, (_, index) => noop(index));
  const threaded = new ThreadWorkflow(nodes, { workflowName: 'overhead', threads });
  const raw = new Piscina({ filename: rawWorker, minThreads: threads, maxThreads: threads });
  await threaded.run(); // start the pool and learn the nodes' durations
  const suite = bench(10)
    .add('threads', () => threaded.run().then(() => undefined))
    .add('raw piscina', () =>
      Promise.all(Array.from({ length: count }, (_, index) => raw.run({ kind: 'noop', value: index }))).then(
        () => undefined,
      ),
    );
  await suite.run();
  await Promise.all([threaded.close(), raw.destroy()]);
  const ourMs = medianMs(suite, 'threads');
  const rawMs = medianMs(suite, 'raw piscina');
  rows.push({
    benchmark: '2. per-node overhead, 4,000 trivial nodes',
    ours: `${round((ourMs * 1000) / count)} µs/node`,
    baseline: `${round((rawMs * 1000) / count)} µs/task raw Piscina`,
    ratio: round(ourMs / rawMs),
    budget: '≤ 1.5 (goal ≤ 1.0)',
  });
}

async function chainLatency(): Promise<void> {
  const hops = 1_000;
  let last: Node<number> = noop(0);
  for (let hop = 1; hop < hops; hop++) last = noop(last);
  const threaded = new ThreadWorkflow(last, { workflowName: 'latency', threads });
  const raw = new Piscina({ filename: rawWorker, minThreads: threads, maxThreads: threads });
  await threaded.run();
  const suite = bench(5)
    .add('threads', () => threaded.run().then(() => undefined))
    .add('raw piscina', async () => {
      let value = 0;
      for (let hop = 0; hop < hops; hop++) value = await raw.run({ kind: 'noop', value });
    });
  await suite.run();
  await Promise.all([threaded.close(), raw.destroy()]);
  const ourMs = medianMs(suite, 'threads');
  const rawMs = medianMs(suite, 'raw piscina');
  rows.push({
    benchmark: '3. latency, chain of 1,000 trivial nodes',
    ours: `${round((ourMs * 1000) / hops)} µs/hop`,
    baseline: `${round((rawMs * 1000) / hops)} µs/hop raw Piscina await-loop`,
    ratio: round(ourMs / rawMs),
    budget: '(reported)',
  });
}

async function transfer(): Promise<void> {
  const length = (80 * 2 ** 20) / 8;
  const hops = 6;
  // The array is made by a node, as in a real pipeline; the chain with no hops is the base.
  const source = makeArray(length);
  let chain: Node<Float64Array> = source;
  for (let hop = 0; hop < hops; hop++) chain = touch(chain);
  const workflows = {
    base: new ThreadWorkflow(sumAll(source), { workflowName: 'transfer-0', threads }),
    chain: new ThreadWorkflow(sumAll(chain), { workflowName: 'transfer-6', threads }),
    twoConsumers: new ThreadWorkflow([sumAll(chain), sumAll(chain)], { workflowName: 'transfer-2', threads }),
  };
  const input = new Float64Array(length).fill(1);
  const suite = bench(5).add('structuredClone', () => {
    structuredClone(input);
  });
  for (const [name, workflow] of Object.entries(workflows)) {
    await workflow.run();
    suite.add(name, () => workflow.run().then(() => undefined));
  }
  await suite.run();
  await Promise.all(Object.values(workflows).map((workflow) => workflow.close()));
  const cloneMs = medianMs(suite, 'structuredClone');
  const perHopMs = (medianMs(suite, 'chain') - medianMs(suite, 'base')) / hops;
  rows.push({
    benchmark: '4. transfer, 80 MB through 6 nodes',
    ours: `${round(perHopMs)} ms/hop`,
    baseline: `${round(cloneMs)} ms per structuredClone`,
    ratio: round(perHopMs / cloneMs),
    budget: '< 0.3 clone per hop',
  });
  const secondConsumerMs = medianMs(suite, 'twoConsumers') - medianMs(suite, 'chain');
  rows.push({
    benchmark: '4b. a second consumer of an 80 MB result',
    ours: `+${round(secondConsumerMs)} ms (it receives a copy)`,
    baseline: `${round(cloneMs)} ms per structuredClone`,
    ratio: round(secondConsumerMs / cloneMs),
    budget: '(reported)',
  });
}

async function coldStart(): Promise<void> {
  const script = fileURLToPath(new URL('./cold-start.ts', import.meta.url));
  const samples = { js: [] as number[], ts: [] as number[] };
  for (let attempt = 0; attempt < 5; attempt++) {
    for (const kind of ['js', 'ts'] as const) {
      const output = execFileSync(process.execPath, ['--import', 'tsx', script, kind], { encoding: 'utf8' });
      samples[kind].push((JSON.parse(output) as { firstResultMs: number }).firstResultMs);
    }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  rows.push({
    benchmark: '5. cold start, first result on a fresh pool',
    ours: `${round(median(samples.ts))} ms with TypeScript task modules`,
    baseline: `${round(median(samples.js))} ms with JavaScript task modules`,
    ratio: round(median(samples.ts) / median(samples.js)),
    budget: '(reported)',
  });
}

function memory(): void {
  const script = fileURLToPath(new URL('./memory-chain.ts', import.meta.url));
  const output = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
  const { peakRssMb, arrayMb, nodes } = JSON.parse(output) as {
    peakRssMb: number;
    arrayMb: number;
    nodes: number;
  };
  rows.push({
    benchmark: `6. memory, chain of ${nodes} × ${arrayMb} MB arrays`,
    ours: `${peakRssMb} MB peak RSS`,
    baseline: `${nodes * arrayMb} MB if every result were kept`,
    ratio: round(peakRssMb / (nodes * arrayMb)),
    budget: 'a few hundred MB',
  });
}

// BENCH_ONLY=overhead,latency runs some of the cases (speedup, overhead, latency, transfer,
// cold-start, memory); all by default.
const only = process.env['BENCH_ONLY']?.split(',');
const cases: [string, () => unknown][] = [
  ['speedup', speedup],
  ['overhead', perNodeOverhead],
  ['latency', chainLatency],
  ['transfer', transfer],
  ['cold-start', coldStart],
  ['memory', memory],
];
for (const [name, run] of cases) if (only === undefined || only.includes(name)) await run();
report('threads', rows);
