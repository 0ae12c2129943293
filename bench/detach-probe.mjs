// What detaching one ArrayBuffer costs a thread's later typed-array loops. V8 compiles
// typed-array reads without a detached-buffer check while no buffer in the isolate has been
// detached (a "protector"); once one has (a transfer list moved it away), the check stays in
// for the thread's life. Each row is a fresh worker thread: the best of 30 sums of a 4-million-
// element Float64Array, before and after the worker moves an 8-byte buffer away; started plain
// or with tsx's loader (`--import tsx`, what `npx tsx` gives every worker), and with Piscina
// imported first or not. A row whose "before" is already slow started detached.
//
// Run: node bench/detach-probe.mjs
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const elements = 4_000_000;

if (isMainThread) {
  for (const [loader, execArgv] of [
    ['plain', []],
    ['tsx', ['--import', 'tsx']],
  ]) {
    for (const importPiscina of [false, true]) {
      const worker = new Worker(new URL(import.meta.url), { execArgv, workerData: { importPiscina } });
      const { before, after } = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      const row = `${loader.padEnd(5)} ${importPiscina ? 'piscina imported' : 'nothing imported'}`;
      console.log(
        `${row}: ${before.toFixed(1)} ms, after a detach ${after.toFixed(1)} ms (${(after / before).toFixed(2)} ×)`,
      );
    }
  }
} else {
  if (workerData.importPiscina) await import('piscina');
  const values = new Float64Array(elements);
  for (let index = 0; index < elements; index++) values[index] = index;
  const sum = (array) => {
    let total = 0;
    for (let index = 0; index < array.length; index++) total += array[index];
    return total;
  };
  const best = (repeats) => {
    let fastest = Number.POSITIVE_INFINITY;
    for (let repeat = 0; repeat < repeats; repeat++) {
      const started = performance.now();
      sum(values);
      fastest = Math.min(fastest, performance.now() - started);
    }
    return fastest;
  };
  best(20);
  const before = best(30);
  const moved = new ArrayBuffer(8);
  structuredClone(moved, { transfer: [moved] });
  best(20);
  parentPort.postMessage({ before, after: best(30) });
}
