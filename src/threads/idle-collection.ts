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
 * event loop turning, where V8 finishes the collection, until V8 reports the end of a full
 * collection that began after the tell ({@link CollectionWatch}) or {@link collectionWaitMs}
 * have passed. Only public APIs: the collection is V8's own.
 */
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
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
    const watch = new CollectionWatch();
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = (entry as { readonly detail?: { readonly kind?: number } }).detail?.kind;
        const verdict = watch.see(entry.startTime, kind);
        if (verdict === 'ended') return done();
        if (verdict === 'tell again') return tell();
      }
    });
    const timer = setTimeout(done, collectionWaitMs);
    function tell(): void {
      watch.told(performance.now());
      feelEverythingNow();
    }
    function done(): void {
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    }
    // Observing first: V8 may collect within the allocation that tells it.
    observer.observe({ entryTypes: ['gc'] });
    tell();
  });
}

/** What a worker waiting for its collection does on a collection V8 reports. */
export type CollectionVerdict = 'wait' | 'ended' | 'tell again';

/**
 * Which reported collection is the one that frees what a worker's jobs left: a full
 * collection whose marking began after the worker told V8 (incremental marking is reported
 * as it begins, the full collection as it ends).
 *
 * Two kinds of report look like it and are not:
 * - Reports of collections during the run. Node reports a collection from the event loop,
 *   which an idle worker has not turned since its last job, so they arrive first. They began
 *   before the tell, and are passed over.
 * - The end of marking begun during the run, which the tell only hurried: what the run
 *   dropped after that marking began is kept, to be freed by the next collection, in front of
 *   the next run's jobs (the fan-out benchmark's peak over 12 reruns was 3 × its array in most
 *   processes, a run in about ten, until this was seen). The worker tells once more, and the
 *   collection that follows counts, whatever its reports.
 *
 * @example
 * const watch = new CollectionWatch();
 * watch.told(performance.now());
 * watch.see(entry.startTime, entry.detail.kind); // 'wait', 'ended' or 'tell again'
 */
export class CollectionWatch {
  #toldAt = Number.POSITIVE_INFINITY;
  #markingSinceTold = false;
  #tells = 0;

  /** The worker told V8 at `at` (performance.now()). */
  told(at: number): void {
    this.#toldAt = at;
    this.#tells++;
  }

  /** A reported collection, begun at `startTime`, of Node's `kind` (perf_hooks constants). */
  see(startTime: number, kind: number | undefined): CollectionVerdict {
    if (startTime < this.#toldAt) return 'wait';
    if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) this.#markingSinceTold = true;
    if (kind !== constants.NODE_PERFORMANCE_GC_MAJOR) return 'wait';
    return this.#markingSinceTold || this.#tells > 1 ? 'ended' : 'tell again';
  }
}
