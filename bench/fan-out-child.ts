/**
 * The fan-out case's measuring process (bench/threads/fan-out.ts runs it): one 80 MB
 * Float64Array made by a node, read in full by 8 nodes on 2 threads, in each given arm.
 *
 * Usage: node --import tsx bench/fan-out-child.ts <arm,arm,...> <rounds>
 * Every arm's pool is started and warmed first (resident memory then is the start), then each
 * arm runs once untimed; then each round runs every arm once (in an
 * order that turns each round, so a changing load weighs on every arm alike). Prints
 * { ms: { arm: [ms per round] }, startRssMb, peakRssMb }.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type Node, ThreadWorkflow } from 'functionfuse';
import { Piscina } from 'piscina';
import { fanOutArray, fanOutSharedArray, fanOutSum } from './fixtures/fan-out-tasks.mjs';

export const fanOutArms = ['default', 'shareResult', 'sab-task', 'by-hand'] as const;
export type FanOutArm = (typeof fanOutArms)[number];

const length = (80 * 2 ** 20) / 8;
const readers = 8;
const threads = 2;
// Every partial sum of 1..length is an integer below 2^53: the total is exact.
const expected = (length * (length + 1)) / 2;

interface ArmRunner {
  /** Starts the threads and loads the task modules. */
  warm(): Promise<unknown>;
  run(): Promise<readonly number[]>;
  close(): Promise<void>;
}

function workflowArm(source: Node<Float64Array>, share: boolean): ArmRunner {
  const sums = Array.from({ length: readers }, () => fanOutSum(source));
  const workflow = new ThreadWorkflow(sums, { workflowName: 'fan-out', threads });
  if (share) workflow.query(source.name).setOptions({ shareResult: true });
  return { warm: () => workflow.warm(), run: () => workflow.run(), close: () => workflow.close() };
}

function byHandArm(): ArmRunner {
  const pool = new Piscina({
    filename: fileURLToPath(new URL('./fixtures/fan-out-piscina-worker.mjs', import.meta.url)),
    minThreads: threads,
    maxThreads: threads,
  });
  const tiny = new Float64Array(new SharedArrayBuffer(8));
  return {
    warm: () => Promise.all(Array.from({ length: threads }, () => pool.run({ kind: 'sum', values: tiny }))),
    run: async () => {
      const values = (await pool.run({ kind: 'make', length })) as Float64Array;
      return Promise.all(
        Array.from({ length: readers }, () => pool.run({ kind: 'sum', values }) as Promise<number>),
      );
    },
    close: () => pool.destroy(),
  };
}

function runnerFor(arm: FanOutArm): ArmRunner {
  if (arm === 'default') return workflowArm(fanOutArray(length), false);
  if (arm === 'shareResult') return workflowArm(fanOutArray(length), true);
  if (arm === 'sab-task') return workflowArm(fanOutSharedArray(length), false);
  return byHandArm();
}

const arms = (process.argv[2] ?? fanOutArms.join(',')).split(',') as FanOutArm[];
const rounds = Number(process.argv[3] ?? 7);
const runners = arms.map((arm) => [arm, runnerFor(arm)] as const);
for (const [, runner] of runners) await runner.warm();
const startRssMb = process.memoryUsage().rss / 2 ** 20;
// One untimed run of each, so that no arm pays for first calls (its peak memory counts).
for (const [arm, runner] of runners) check(arm, await runner.run());
const ms: Record<string, number[]> = Object.fromEntries(arms.map((arm) => [arm, []]));
for (let round = 0; round < rounds; round++) {
  for (let step = 0; step < runners.length; step++) {
    const [arm, runner] = runners[(round + step) % runners.length] as (typeof runners)[number];
    const started = performance.now();
    const sums = await runner.run();
    (ms[arm] as number[]).push(performance.now() - started);
    check(arm, sums);
  }
}
const peakRssMb = process.resourceUsage().maxRSS / 1024;
await Promise.all(runners.map(([, runner]) => runner.close()));
console.log(JSON.stringify({ ms, startRssMb, peakRssMb }));

function check(arm: string, sums: readonly number[]): void {
  if (sums.length !== readers || sums.some((sum) => sum !== expected)) {
    throw new Error(`fan-out arm ${arm} read wrong sums: ${sums.join(', ')}`);
  }
}
