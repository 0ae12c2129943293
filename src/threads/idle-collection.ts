/**
 * A worker's collection of the memory its jobs left, while it is idle.
 *
 * A worker that read a shared result, or copied its own result into shared memory
 * (`shareResult`), holds memory that only a collection of its heap frees: the wrappers of
 * the shared memory (the memory lives while any thread holds one) and the ordinary memory the
 * copy was made from. V8 collects when its own measures say so, and a Piscina worker that has
 * no task blocks in Atomics.wait, where V8's incremental collection makes no progress: what a
 * run left was freed during the next run, in front of its jobs. A rerun of a node that shares
 * 80 MB then held the last run's array and copy while it made the next (4.5–5 × the array at
 * its peak; bench/fan-out-child.mjs).
 *
 * So the pool asks a worker it finds idle to collect, during a run and once the run has
 * settled (task-pool.ts), and the worker collects then: it tells V8 of at least
 * {@link feltBytes} (which starts the collection, shared-memory-pressure.ts), then keeps its
 * event loop turning, where V8 finishes the collection, until V8 reports a full collection's
 * end or {@link collectionWaitMs} have passed. Only public APIs: the collection is V8's own.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import {
  feelDeferredSharedMemory,
  feelEverythingNow,
  feltBytes,
  untoldSharedBytes,
} from './shared-memory-pressure.js';

/**
 * The longest a worker waits for the collection to end, in ms. A small heap's takes a few ms
 * (8–34 on the benchmark machine, with 80 MB freed, as the cores are shared with a next run);
 * a large one's goes on after the worker answers, at its next allocations, as it would have
 * without being asked.
 */
export const collectionWaitMs = 250;

/** Ordinary memory this thread's jobs are done with (the copies' sources), since it last collected. */
let leftBehind = 0;

/**
 * Counts `bytes` of ordinary memory a job is done with and that only a collection frees: the
 * memory a `shareResult` copy was made from.
 */
export function leaveForCollection(bytes: number): void {
  leftBehind += bytes;
}

/** How much memory this thread's jobs left that a collection would free or that V8 does not count. */
export function uncollectedBytes(): number {
  return untoldSharedBytes() + leftBehind;
}

/**
 * Collects what this thread's jobs left, if it is worth a collection (at least
 * {@link feltBytes}); resolves once the collection has ended, or after
 * {@link collectionWaitMs}. Less than that is only told of (shared-memory-pressure.ts), and it
 * resolves at once.
 *
 * @example
 * // in a worker, when the pool finds it idle:
 * await collectWhileIdle();
 */
export function collectWhileIdle(): Promise<void> {
  if (uncollectedBytes() < feltBytes) {
    feelDeferredSharedMemory();
    return Promise.resolve();
  }
  leftBehind = 0;
  return new Promise((resolve) => {
    const observer = new PerformanceObserver((entries) => {
      const full = entries.getEntries().some((entry) => {
        const detail = (entry as { readonly detail?: { readonly kind?: number } }).detail;
        return detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
      });
      if (full) done();
    });
    const timer = setTimeout(done, collectionWaitMs);
    function done(): void {
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    }
    // Observing first: V8 may collect within the allocation that tells it.
    observer.observe({ entryTypes: ['gc'] });
    feelEverythingNow();
  });
}
