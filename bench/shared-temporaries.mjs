// What `shareResult`'s shared allocation costs a task that makes and drops many large typed
// arrays (src/threads/shared-allocation.ts): while such a task runs, an array of 32 MiB or more
// that it asks for by length is made in SharedArrayBuffer memory, temporaries included. In a
// fresh worker thread, each round times the same loop (1.6 GB of arrays of the given size made,
// one element per page written, dropped) three ways, in turn: plain (ordinary memory, the
// baseline), inside callAllocatingShared (what a `shareResult` task gets), and made with
// sharedArray() (what making that size shared would cost, below the threshold too; it tells
// the thread's collector, as the stand-ins do). The worker's heap is collected before each
// way, so each pays for its own garbage. Prints each median and its ratio to the plain loop,
// with the range of the round-by-round ratios.
//
// Run: npm run build && node --expose-gc bench/shared-temporaries.mjs
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const rounds = 5;
const loopMiB = 1600;
const sizesMiB = [8, 32, 64];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

if (isMainThread) {
  const modules = {
    allocation: new URL('../dist/src/threads/shared-allocation.js', import.meta.url).href,
    array: new URL('../dist/src/threads/shared-array.js', import.meta.url).href,
  };
  if (typeof globalThis.gc !== 'function')
    throw new Error('Run with node --expose-gc (the worker collects before each way)');
  const worker = new Worker(new URL(import.meta.url), { workerData: { modules } });
  const report = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  for (const { sizeMiB, ms } of report) {
    const ratio = (way) => {
      const ratios = ms[way].map((time, index) => time / ms.plain[index]);
      return `${(median(ms[way]) / median(ms.plain)).toFixed(2)} × (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
    };
    console.log(
      `${loopMiB / sizeMiB} arrays of ${sizeMiB} MiB made and dropped: plain ${median(ms.plain).toFixed(0)} ms; ` +
        `in a shareResult task ${median(ms.shareResult).toFixed(0)} ms, ${ratio('shareResult')}; ` +
        `with sharedArray() ${median(ms.byHand).toFixed(0)} ms, ${ratio('byHand')}`,
    );
  }
} else {
  const { callAllocatingShared } = await import(workerData.modules.allocation);
  const { sharedArray } = await import(workerData.modules.array);
  const report = [];
  for (const sizeMiB of sizesMiB) {
    const length = (sizeMiB * 2 ** 20) / Float64Array.BYTES_PER_ELEMENT;
    const count = loopMiB / sizeMiB;
    const loop = (make) => () => {
      let total = 0;
      for (let made = 0; made < count; made++) {
        const values = make();
        for (let index = 0; index < length; index += 512) values[index] = index;
        total += values[length - 512];
      }
      return total;
    };
    const plain = loop(() => new Float64Array(length));
    const ways = {
      plain,
      shareResult: () => callAllocatingShared(plain),
      byHand: loop(() => sharedArray(Float64Array, length)),
    };
    const ms = { plain: [], shareResult: [], byHand: [] };
    // One untimed call of each: the first faults the thread's heap in.
    for (const call of Object.values(ways)) call();
    for (let round = 0; round < rounds; round++) {
      for (const [way, call] of Object.entries(ways)) {
        globalThis.gc();
        const started = performance.now();
        call();
        ms[way].push(performance.now() - started);
      }
    }
    report.push({ sizeMiB, ms });
  }
  parentPort.postMessage(report);
}
