/**
 * BullMQWorkflow against its baselines, each measured in the same run, on a Redis server and
 * worker processes started here (redis-server from PATH, or FUNCTIONFUSE_REDIS_URL):
 *   1. per-node overhead: 2,000 trivial independent nodes through one worker process (one
 *      thread) vs 2,000 raw BullMQ jobs through one raw BullMQ worker process;
 *   2. latency: a chain of 200 trivial nodes, per hop, vs a raw BullMQ add-then-wait loop;
 *   3. speedup: 8 nodes of ~100 ms on two worker processes (one thread each) vs LocalWorkflow;
 *   4. transfer: a 10 MB Float64Array handed along a chain, per hop, vs a raw Redis SET + GET
 *      of its bytes, the two run by turns.
 * Every figure is the median of several runs, with the range of the runs.
 *
 * Run: npm run build && node --expose-gc --import tsx bench/bullmq.bench.ts (BENCH_ONLY=overhead,latency
 * for some cases; without --expose-gc, case 4's turns do not start from a collected heap)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { BullMQWorkflow, LocalWorkflow, type Node } from 'functionfuse';
import { Redis } from 'ioredis';
import { startRedis, startWorkerProcess, type TestWorker } from '../test/support/cluster-processes.js';
import { makeArray, noop, spin, touch } from './fixtures/bench-tasks.mjs';
import { calibrateSpin, collectGarbage, type FigureRow, report, round } from './support.js';

const only = process.env.BENCH_ONLY?.split(',');
const runs = 7;
const rows: FigureRow[] = [];
const redis = await startRedis();
const { url } = redis;
const connection = {
  host: new URL(url).hostname,
  port: Number(new URL(url).port),
  maxRetriesPerRequest: null,
};
const rawWorkerScript = fileURLToPath(new URL('./fixtures/raw-bullmq-worker.mjs', import.meta.url));

/** Median and range of `runs` timings of `body` (after one warm-up), in ms. */
async function measure(body: () => Promise<unknown>): Promise<Timings> {
  await body();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await body();
    times.push(performance.now() - started);
  }
  return summarize(times);
}

/** Median and range of `runs` timings each of `ours` and `baseline`, run by turns (after one warm-up each), in ms. */
async function measureByTurns(
  ours: () => Promise<unknown>,
  baseline: () => Promise<unknown>,
): Promise<[Timings, Timings]> {
  await ours();
  await baseline();
  const times: [number[], number[]] = [[], []];
  for (let run = 0; run < runs; run++) {
    for (const [side, body] of [ours, baseline].entries()) {
      // Each side's garbage is collected before the other's turn, not during it.
      collectGarbage();
      const started = performance.now();
      await body();
      times[side]?.push(performance.now() - started);
    }
  }
  return [summarize(times[0]), summarize(times[1])];
}

interface Timings {
  readonly median: number;
  readonly low: number;
  readonly high: number;
}

function summarize(times: number[]): Timings {
  times.sort((a, b) => a - b);
  return {
    median: times[Math.floor(times.length / 2)] as number,
    low: times[0] as number,
    high: times.at(-1) as number,
  };
}

const span = (m: { low: number; high: number }, scale = 1, unit = 'ms') =>
  `${round(m.low * scale)}–${round(m.high * scale)} ${unit}`;

async function withWorkers<T>(
  queue: string,
  count: number,
  body: (workers: TestWorker[]) => Promise<T>,
): Promise<T> {
  const workers = await Promise.all(
    Array.from({ length: count }, () => startWorkerProcess({ url, queue, threads: 1, lockDurationMs: 5000 })),
  );
  try {
    return await body(workers);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

async function startRawWorker(queue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [rawWorkerScript, url, queue], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('raw worker ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`raw worker exited with ${code}`)));
  });
  return child;
}

async function stopRawWorker(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** Raw BullMQ: `count` jobs added in one bulk, then waited for through the queue's events. */
async function rawBulk(queue: Queue, events: QueueEvents, count: number, round: number): Promise<void> {
  let left = count;
  const done = new Promise<void>((resolve) => {
    const onCompleted = ({ jobId }: { jobId: string }) => {
      if (!jobId.startsWith(`r${round}-`)) return;
      if (--left === 0) {
        events.off('completed', onCompleted);
        resolve();
      }
    };
    events.on('completed', onCompleted);
  });
  await queue.addBulk(
    Array.from({ length: count }, (_, index) => ({
      name: 'raw',
      data: { value: index },
      opts: { jobId: `r${round}-${index}`, removeOnComplete: true },
    })),
  );
  await done;
}

async function rawBaseline<T>(
  queueName: string,
  body: (queue: Queue, events: QueueEvents) => Promise<T>,
): Promise<T> {
  const worker = await startRawWorker(queueName);
  const queue = new Queue(queueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  await events.waitUntilReady();
  try {
    return await body(queue, events);
  } finally {
    await queue.obliterate({ force: true });
    await events.close();
    await queue.close();
    await stopRawWorker(worker);
  }
}

async function perNodeOverhead(): Promise<void> {
  const count = 2_000;
  const nodes = Array.from({ length: count }, (_, index) => noop(index));
  const ours = await withWorkers('overhead', 1, async () => {
    await using workflow = new BullMQWorkflow(nodes, {
      workflowName: 'overhead',
      connection: url,
      queueName: 'overhead',
    });
    // Awaited here: `await using` closes the workflow when this block is left, and a returned
    // promise leaves it at once.
    return await measure(() => workflow.run());
  });
  let rounds = 0;
  const raw = await rawBaseline('raw-overhead', (queue, events) =>
    measure(() => rawBulk(queue, events, count, ++rounds)),
  );
  rows.push({
    benchmark: `1. per node, ${count} trivial nodes, 1 worker`,
    ours: `${round((ours.median * 1000) / count)} µs (${span(ours, 1000 / count, 'µs')})`,
    baseline: `${round((raw.median * 1000) / count)} µs raw BullMQ job (${span(raw, 1000 / count, 'µs')})`,
    ratio: round(ours.median / raw.median),
    budget: '≤ 1.0',
  });
}

async function latency(): Promise<void> {
  const hops = 200;
  let last: Node<number> = noop(0);
  for (let index = 1; index < hops; index++) last = noop(last);
  const ours = await withWorkers('latency', 1, async () => {
    await using workflow = new BullMQWorkflow(last, {
      workflowName: 'latency',
      connection: url,
      queueName: 'latency',
    });
    // Awaited here: `await using` closes the workflow when this block is left, and a returned
    // promise leaves it at once.
    return await measure(() => workflow.run());
  });
  let rounds = 0;
  const raw = await rawBaseline('raw-latency', (queue, events) =>
    measure(async () => {
      rounds++;
      let value = 0;
      for (let hop = 0; hop < hops; hop++) {
        const id = `c${rounds}-${hop}`;
        const finished = new Promise<number>((resolve) => {
          const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
            if (jobId !== id) return;
            events.off('completed', onCompleted);
            resolve(returnvalue as number);
          };
          events.on('completed', onCompleted);
        });
        await queue.add('raw', { value }, { jobId: id, removeOnComplete: true });
        value = await finished;
      }
    }),
  );
  rows.push({
    benchmark: `2. latency, chain of ${hops}`,
    ours: `${round(ours.median / hops)} ms/hop (${span(ours, 1 / hops)})`,
    baseline: `${round(raw.median / hops)} ms/hop raw add-then-wait (${span(raw, 1 / hops)})`,
    ratio: round(ours.median / raw.median),
    budget: 'measured',
  });
}

async function speedup(): Promise<void> {
  const iterations = calibrateSpin(100);
  const nodes = Array.from({ length: 8 }, () => spin(iterations));
  const local = new LocalWorkflow(nodes, { workflowName: 'speedup' });
  const localTime = await measure(() => local.run());
  const ours = await withWorkers('speedup', 2, async () => {
    await using workflow = new BullMQWorkflow(nodes, {
      workflowName: 'speedup',
      connection: url,
      queueName: 'speedup',
    });
    // Awaited here: `await using` closes the workflow when this block is left, and a returned
    // promise leaves it at once.
    return await measure(() => workflow.run());
  });
  rows.push({
    benchmark: '3. speedup, 8 × 100 ms nodes, 2 workers × 1 thread',
    ours: `${round(ours.median)} ms (${span(ours)})`,
    baseline: `${round(localTime.median)} ms LocalWorkflow (${span(localTime)})`,
    ratio: round(localTime.median / ours.median),
    budget: '≥ 1.7',
  });
}

async function transfer(): Promise<void> {
  const length = (10 * 1024 * 1024) / 8;
  const hops = 4;
  let last: Node<Float64Array> = makeArray(length);
  for (let hop = 0; hop < hops; hop++) last = touch(last);
  const client = new Redis(url);
  const bytes = Buffer.from(new Float64Array(length).fill(1).buffer);
  const rawHops = async (): Promise<void> => {
    for (let hop = 0; hop <= hops; hop++) {
      await client.set('raw-transfer', bytes);
      await client.getBuffer('raw-transfer');
    }
  };
  const [ours, raw] = await withWorkers('transfer', 1, async () => {
    // The leaf's bytes come back to the coordinator once: counted as one more hop.
    await using workflow = new BullMQWorkflow(last, {
      workflowName: 'transfer',
      connection: url,
      queueName: 'transfer',
    });
    // By turns, run for run: a machine whose load changes weighs on both alike.
    return await measureByTurns(() => workflow.run(), rawHops);
  });
  await client.del('raw-transfer');
  client.disconnect();
  const perHop = hops + 1;
  rows.push({
    benchmark: `4. transfer, 10 MB Float64Array, ${hops} hops + leaf`,
    ours: `${round(ours.median / perHop)} ms/hop (${span(ours, 1 / perHop)})`,
    baseline: `${round(raw.median / perHop)} ms raw SET + GET, run by turns (${span(raw, 1 / perHop)})`,
    ratio: round(ours.median / raw.median),
    budget: '≤ 1.5',
  });
}

try {
  const cases: [string, () => Promise<void>][] = [
    ['overhead', perNodeOverhead],
    ['latency', latency],
    ['speedup', speedup],
    ['transfer', transfer],
  ];
  for (const [name, run] of cases) if (only === undefined || only.includes(name)) await run();
  report('bullmq', rows);
} finally {
  await redis.stop();
}
