/**
 * While a `shareResult` task runs in a worker thread, large typed arrays it asks for by length
 * are made in shared memory (src/threads/shared-allocation.ts), and only while it runs: the
 * real constructors are back once its call returns, throws, or its promise settles. Run in a
 * real worker thread; in the main thread the call is made as it is.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { callAllocatingShared, sharedFromBytes } from '../dist/src/threads/shared-allocation.js';

/** Runs in the worker: each step's view of where a large Float64Array lands. */
const steps = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { callAllocatingShared, sharedFromBytes } = await import(workerData.module);
  const large = () => new Float64Array(sharedFromBytes / 8).buffer instanceof SharedArrayBuffer;
  const report = { before: large() };
  report.during = callAllocatingShared(large);
  report.after = large();
  try {
    callAllocatingShared(() => { throw new RangeError('failed'); });
  } catch (error) {
    report.thrown = error.message;
  }
  report.afterThrow = large();
  report.tooLong = callAllocatingShared(() => {
    try {
      new Float64Array(2 ** 50);
    } catch (error) {
      return error.name + ': ' + error.message;
    }
  });
  let release;
  const pending = callAllocatingShared(async () => {
    await new Promise((resolve) => { release = resolve; });
    return large();
  });
  // Another call begins and ends while the first one's promise is pending.
  report.nested = callAllocatingShared(large);
  report.whilePending = large();
  release();
  report.afterAwait = await pending;
  report.afterSettled = large();
  const rejected = callAllocatingShared(async () => { throw new TypeError('rejected'); });
  report.rejected = await rejected.catch((error) => error.message);
  report.afterRejected = large();
  parentPort.postMessage(report);
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

describe('callAllocatingShared', () => {
  it('in a worker thread, makes large arrays shared during the call only, through its awaits, restoring after a throw; a length too long gets the real error', async () => {
    const worker = new Worker(steps, {
      eval: true,
      workerData: { module: new URL('../dist/src/threads/shared-allocation.js', import.meta.url).href },
    });
    try {
      const report = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the worker exited with code ${code}`)));
      });
      expect(report).toEqual({
        before: false,
        during: true,
        after: false,
        thrown: 'failed',
        afterThrow: false,
        tooLong: 'RangeError: Invalid typed array length: 1125899906842624',
        nested: true,
        whilePending: true,
        afterAwait: true,
        afterSettled: false,
        rejected: 'rejected',
        afterRejected: false,
      });
    } finally {
      await worker.terminate();
    }
  });

  it('in the main thread, makes the call as it is', () => {
    const made = callAllocatingShared(() => new Float64Array(sharedFromBytes / 8));
    expect(made.buffer).toBeInstanceOf(ArrayBuffer);
    expect(Float64Array.name).toBe('Float64Array');
  });
});
