/**
 * The fan-out case's measuring process (bench/threads/fan-out.ts runs it): one 80 MB
 * Float64Array made by a node, read in full by 8 nodes on 2 threads, in each given arm.
 *
 * Usage: node --expose-gc bench/fan-out-child.mjs <arm,arm,...> <rounds>
 * Plain JavaScript, so it runs without tsx: worker threads inherit the process's loader, and
 * under tsx a thread that loads some CommonJS packages (piscina, comlink, bullmq) detaches an
 * ArrayBuffer of tsx's own (a WebAssembly lexer's memory growing); from then on V8 checks for
 * detached buffers in that thread's optimized typed-array code, and the readers' loops run
 * about 1.7 times slower than in a thread that never detached one. fan-out.ts measures that
 * case apart (`node --import tsx`): functionfuse's workers start without tsx's flags and
 * register it after Piscina is loaded (src/threads/worker-tsx.ts); raw Piscina's inherit them.
 *
 * Every arm's pool is started and warmed first (resident memory then is the start), then each
 * arm runs once untimed; then each round runs every arm once (in an order that turns each
 * round, so a changing load weighs on every arm alike). Prints
 * { ms: { arm: [ms per round] }, startRssMb, peakRssMb }.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ThreadWorkflow } from 'functionfuse';
import { Piscina } from 'piscina';
import {
  fanOutArray,
  fanOutArrayOverBuffer,
  fanOutSharedArray,
  fanOutSum,
} from './fixtures/fan-out-tasks.mjs';

const length = (80 * 2 ** 20) / 8;
const readers = 8;
const threads = 2;
// Every partial sum of 1..length is an integer below 2^53: the total is exact.
const expected = (length * (length + 1)) / 2;

/**
 * @typedef {object} ArmRunner
 * @property {() => Promise<unknown>} warm starts the threads and loads the task modules
 * @property {() => Promise<unknown>} [prepare] untimed, before each run
 * @property {() => Promise<readonly number[]>} run
 * @property {() => Promise<void>} close
 */

/** @returns {ArmRunner} */
function workflowArm(source, share) {
  const sums = Array.from({ length: readers }, () => fanOutSum(source));
  const workflow = new ThreadWorkflow(sums, { workflowName: 'fan-out', threads });
  if (share) workflow.query(source.name).setOptions({ shareResult: true });
  return { warm: () => workflow.warm(), run: () => workflow.run(), close: () => workflow.close() };
}

/**
 * `shareResult` on a new workflow (a new graph, its pool warmed) before each run: every timed
 * run is a first run, where the workflow knows nothing yet of the result's size, so no shared
 * memory is faulted in ahead of a copy (src/drivers/warm-targets.ts). `makeSource` makes the
 * producer: one whose array is made shared as it asks for it, or one that is copied.
 * @returns {ArmRunner}
 */
function firstRunArm(makeSource) {
  /** @type {ArmRunner | undefined} */
  let current;
  const prepare = async () => {
    await current?.close();
    // A new source too: a workflow holds every node that descends from its roots.
    current = workflowArm(makeSource(length), true);
    await current.warm();
  };
  return {
    warm: prepare,
    prepare,
    run: () => /** @type {ArmRunner} */ (current).run(),
    close: async () => current?.close(),
  };
}

/**
 * The floor. `freeing`: its threads tell V8 of the shared memory once a run, so that each run's
 * array is freed as functionfuse's are (fan-out-piscina-worker.mjs); without, none ever is.
 * @returns {ArmRunner}
 */
function byHandArm(freeing) {
  const pool = new Piscina({
    filename: fileURLToPath(new URL('./fixtures/fan-out-piscina-worker.mjs', import.meta.url)),
    minThreads: threads,
    maxThreads: threads,
  });
  const tiny = new Float64Array(new SharedArrayBuffer(8));
  let runs = 0;
  return {
    warm: () => Promise.all(Array.from({ length: threads }, () => pool.run({ kind: 'sum', values: tiny }))),
    run: async () => {
      const run = freeing ? ++runs : undefined;
      const values = await pool.run({ kind: 'make', length, run });
      return Promise.all(Array.from({ length: readers }, () => pool.run({ kind: 'sum', values, run })));
    },
    close: () => pool.destroy(),
  };
}

/**
 * Pause before each run of the `shareResult-paused` arm: idle time as a program that does
 * something else between reruns has it, in which the collections the workers begin when a run
 * settles end and V8's helper threads free the last run's memory (about 10–30 ms here).
 */
const pauseMs = 100;

/**
 * The copying producer: a producer whose array is made shared from the start leaves no copy's
 * ordinary memory to wait for.
 * @returns {ArmRunner}
 */
function pausedArm() {
  const arm = workflowArm(fanOutArrayOverBuffer(length), true);
  return { ...arm, prepare: () => new Promise((resolve) => setTimeout(resolve, pauseMs)) };
}

/** @returns {ArmRunner} */
function runnerFor(arm) {
  if (arm === 'default') return workflowArm(fanOutArray(length), false);
  if (arm === 'shareResult') return workflowArm(fanOutArray(length), true);
  if (arm === 'shareResult-first') return firstRunArm(fanOutArray);
  if (arm === 'shareResult-copied') return workflowArm(fanOutArrayOverBuffer(length), true);
  if (arm === 'shareResult-copied-first') return firstRunArm(fanOutArrayOverBuffer);
  if (arm === 'shareResult-paused') return pausedArm();
  if (arm === 'sab-task') return workflowArm(fanOutSharedArray(length), false);
  if (arm === 'by-hand') return byHandArm(false);
  if (arm === 'by-hand-freeing') return byHandArm(true);
  throw new Error(`unknown fan-out arm ${arm}`);
}

function check(arm, sums) {
  if (sums.length !== readers || sums.some((sum) => sum !== expected)) {
    throw new Error(`fan-out arm ${arm} read wrong sums: ${sums.join(', ')}`);
  }
}

if (process.argv[2] === undefined) throw new Error('Name the arms to run, as bench/threads/fan-out.ts does');
const arms = process.argv[2].split(',');
const rounds = Number(process.argv[3] ?? 7);
const runners = arms.map((arm) => [arm, runnerFor(arm)]);
for (const [, runner] of runners) await runner.warm();
const startRssMb = process.memoryUsage().rss / 2 ** 20;
// One untimed run of each, so that no arm pays for first calls (its peak memory counts).
for (const [arm, runner] of runners) check(arm, await runner.run());
const ms = Object.fromEntries(arms.map((arm) => [arm, []]));
for (let round = 0; round < rounds; round++) {
  for (let step = 0; step < runners.length; step++) {
    const [arm, runner] = runners[(round + step) % runners.length];
    await runner.prepare?.();
    // The main thread's heap is collected before each arm, as bench/peers/rounds.ts does (with
    // --expose-gc): an arm pays for its own garbage, not for the arm before it.
    globalThis.gc?.();
    const started = performance.now();
    const sums = await runner.run();
    ms[arm].push(performance.now() - started);
    check(arm, sums);
  }
}
const peakRssMb = process.resourceUsage().maxRSS / 1024;
await Promise.all(runners.map(([, runner]) => runner.close()));
console.log(JSON.stringify({ ms, startRssMb, peakRssMb }));
