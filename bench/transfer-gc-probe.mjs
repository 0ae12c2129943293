// What an 80 MB buffer landing in the main thread costs in garbage collection, by the main
// thread's live heap: a bare Worker sends 10 fresh buffers one after another, moved
// (ArrayBuffer with a transfer list) or shared (SharedArrayBuffer), and the main thread counts
// its major GCs. Each moved buffer adds to the receiving isolate's external memory, past V8's
// 64 MB soft limit, so every landing starts a full GC, whose cost grows with the live heap.
//
// Run: node bench/transfer-gc-probe.mjs [liveObjectsInMillions=2] [megabytes=80]
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

const liveObjects = Number(process.argv[2] ?? 2) * 1e6;
const megabytes = Number(process.argv[3] ?? 80);
const live = Array.from({ length: liveObjects }, (_, index) => ({ index }));
const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
  parentPort.on('message', (kind) => {
    const bytes = ${megabytes} * 2 ** 20;
    const buffer = kind === 'shared' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    new Uint8Array(buffer).fill(1);
    parentPort.postMessage(buffer, kind === 'shared' ? [] : [buffer]);
  });`,
  { eval: true },
);
let majorGcs = 0;
let majorGcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
    majorGcs++;
    majorGcMs += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });
for (const kind of ['moved', 'shared', 'moved', 'shared']) {
  majorGcs = 0;
  majorGcMs = 0;
  for (let landing = 0; landing < 10; landing++) {
    await new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(kind);
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the last GC entries arrive
  const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  console.log(
    `${kind}: 10 × ${megabytes} MB into a ${heapMb} MB main heap: ${majorGcs} major GCs, ${Math.round(majorGcMs)} ms`,
  );
}
await worker.terminate();
if (live.length !== liveObjects) throw new Error('the live heap was collected');
