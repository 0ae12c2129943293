/**
 * ThreadWorkflow against its baselines, each measured in the same run (one file per case in
 * bench/threads/):
 *   1. speedup: 8 independent ~100 ms nodes, LocalWorkflow vs ThreadWorkflow and the same spins
 *      on Piscina, workerpool and tinypool;
 *   2. per-node overhead: 4,000 trivial independent nodes vs Promise.all over 4,000 tasks on
 *      Piscina, workerpool and tinypool, and Piscina batched by hand (the floor);
 *   3. latency: a chain of 1,000 trivial nodes vs await-loops of 1,000 tasks on the same peers,
 *      and a bare postMessage ping-pong with one Worker (the floor);
 *   4. transfer: an 80 MB Float64Array through a chain of 6 nodes, per hop, vs one
 *      structuredClone of it and vs the peers moving it; and the cost of a second consumer
 *      (which receives a copy);
 *   5. cold start: first result on a fresh pool, JavaScript vs TypeScript task modules;
 *   6. memory: a chain of 50 nodes each returning a fresh 100 MB array, peak resident memory
 *      (in a child process, see memory-chain.ts);
 *   7. fan-out: one 80 MB array read by 8 nodes, default, shareResult and a task returning
 *      shared memory, vs raw Piscina with a SharedArrayBuffer by hand (see fan-out-child.mjs).
 * Every figure is the median of several runs; the peers live in bench/peers/.
 *
 * Run: npm run build && node --expose-gc --import tsx bench/threads.bench.ts (BENCH_ONLY=overhead,latency
 * for some cases; without --expose-gc, an arm can pay for the garbage of the arm before it)
 */
import { type FigureRow, report } from './support.js';
import { coldStart } from './threads/cold-start.js';
import { fanOut } from './threads/fan-out.js';
import { chainLatency } from './threads/latency.js';
import { memory } from './threads/memory.js';
import { perNodeOverhead } from './threads/overhead.js';
import { speedup } from './threads/speedup.js';
import { transfer } from './threads/transfer.js';

if ((globalThis as { gc?: unknown }).gc === undefined) {
  console.warn('Run with node --expose-gc: each arm then starts from a collected heap.');
}
// BENCH_ONLY=overhead,latency runs some of the cases; all by default.
const only = process.env['BENCH_ONLY']?.split(',');
const cases: [string, () => FigureRow[] | Promise<FigureRow[]>][] = [
  ['speedup', speedup],
  ['overhead', perNodeOverhead],
  ['latency', chainLatency],
  ['transfer', transfer],
  ['cold-start', coldStart],
  ['memory', memory],
  ['fan-out', fanOut],
];
const rows: FigureRow[] = [];
for (const [name, run] of cases) if (only === undefined || only.includes(name)) rows.push(...(await run()));
report('threads', rows);
