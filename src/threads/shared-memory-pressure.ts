/**
 * Making each thread's collector see the shared memory it holds.
 *
 * V8 weighs an ArrayBuffer's memory in deciding when a thread collects its heap, but not a
 * SharedArrayBuffer's: a shared backing store counts for nothing in any thread. So a thread
 * that only receives shared buffers (the readers of a `shareResult` node, the main thread that
 * forwards them) seldom collects, and each wrapper it keeps alive keeps the whole memory
 * alive. Rerunning a workflow whose node shares 80 MB grew the process by 80 MB a run, to
 * 3 GB after 40 runs, until something else made every thread collect.
 *
 * So a thread tells V8 of shared memory it comes to hold: where a task makes it with
 * `sharedArray()`, where a worker's result that holds it arrives in the main thread, and where
 * a job whose arguments hold it arrives in a worker (once per result, not per job). It tells
 * with an ordinary ArrayBuffer of that length, dropped at once and never touched: memory of
 * that size is mapped fresh and never written, so it costs no resident memory, and V8 counts it
 * until its next collection, as it would a copy the thread had received, and collects in time.
 * Amounts are added up until they reach {@link feltBytes}: a smaller ArrayBuffer could come
 * from the allocator's reused memory, which it would zero, and V8 would not collect for it
 * anyway. A `shareResult` copy is not told where it is made: the ordinary memory it copies from
 * is counted already.
 *
 * What arrives is not told of at once ({@link feelSharedMemoryLater}): the collection a tell starts pauses
 * the thread (5–15 ms on the benchmark machine, most of it freeing the previous run's memory),
 * and on arrival that pause stands between the result and its consumers. What the main thread
 * receives is told at the end of the run, where the next run's first nodes are what it
 * overlaps. A worker has no idle time of its own to wait for (a Piscina worker that has no task
 * blocks in Atomics.wait, where neither timers nor V8's own collection tasks run), so it says
 * in each batch's reply how much it has not told ({@link untoldSharedBytes}), and the pool asks
 * a worker that sits idle during a run to tell (threads/task-pool.ts): the collection then runs
 * on a core the run leaves free. More than {@link deferredBytesCap} waiting is told at once, in
 * either thread, so a thread that is never idle still collects as it goes.
 */

/**
 * The size from which glibc's allocator maps memory fresh in any thread: below it, it may
 * hand out memory it freed before (and zero it). In the main thread that stops at 32 MiB, its
 * largest threshold for mapping; in a worker thread's arena, whose heaps grow to 64 MiB, a
 * loop's 48 MiB arrays still took only 0.7 page faults a page (Node 20, glibc 2.36).
 */
export const alwaysMappedBytes = 64 * 2 ** 20;

/**
 * The least shared memory told to V8 at once: above V8's 64 MiB step of external memory
 * between collections, and above {@link alwaysMappedBytes}, so the telling ArrayBuffer is
 * mapped fresh and never touched.
 */
export const feltBytes = alwaysMappedBytes + 1;

/**
 * The most told at once: past V8's step, more says nothing new, and a larger mapping is more
 * likely to be refused by the kernel's overcommit check.
 */
export const mostToldBytes = 2 ** 30;

/** The most shared memory a thread waits to tell of. */
export const deferredBytesCap = 4 * feltBytes;

let unfelt = 0;
let deferred = 0;

/**
 * Tells this thread's collector that it now holds `bytes` more of shared memory.
 *
 * @example
 * feelSharedMemory(values.byteLength); // after allocating `values` in shared memory
 */
export function feelSharedMemory(bytes: number): void {
  unfelt += bytes;
  if (unfelt < feltBytes) return;
  const length = unfelt;
  unfelt = 0;
  tell(length);
}

/**
 * Tells of everything this thread holds untold, and of at least {@link feltBytes}, so that V8
 * starts a collection now whatever it was told before (idle-collection.ts).
 */
export function feelEverythingNow(): void {
  const length = Math.max(unfelt + deferred, feltBytes);
  unfelt = 0;
  deferred = 0;
  tell(length);
}

function tell(length: number): void {
  try {
    // Dropped at once: V8 counts it until its next collection, which it then starts.
    new ArrayBuffer(Math.min(length, mostToldBytes));
  } catch {
    // The system refused even the address space: V8 will collect for other reasons, and the
    // shared memory the caller holds is no less valid.
  }
}

/**
 * {@link feelSharedMemory}, when {@link feelDeferredSharedMemory} is next called, or at once
 * once more than {@link deferredBytesCap} waits.
 *
 * @example
 * feelSharedMemoryLater(extras.sharedBytes); // a worker's result arrived
 * // ...once the run has ended:
 * feelDeferredSharedMemorySoon();
 */
export function feelSharedMemoryLater(bytes: number): void {
  deferred += bytes;
  if (deferred > deferredBytesCap) feelDeferredSharedMemory();
}

/** How much {@link feelSharedMemoryLater} keeps untold in this thread. */
export function untoldSharedBytes(): number {
  return deferred;
}

/** Tells of every amount {@link feelSharedMemoryLater} kept. */
export function feelDeferredSharedMemory(): void {
  const bytes = deferred;
  deferred = 0;
  if (bytes > 0) feelSharedMemory(bytes);
}

/** {@link feelDeferredSharedMemory} in the next turn of the event loop, if anything waits. */
export function feelDeferredSharedMemorySoon(): void {
  if (deferred > 0) setImmediate(feelDeferredSharedMemory).unref();
}

let lastToken = 0;

/**
 * A new token for a result that holds shared memory (in the main thread). Each job that takes
 * the result names it, so that a worker tells of the result once however many of its jobs
 * read it: each message brings a new wrapper of the same memory, and telling of each would
 * make the worker collect after nearly every job.
 */
export function sharedResultToken(): number {
  return ++lastToken;
}

/** The tokens this worker has told of, newest last: a result's jobs come close together. */
const told: number[] = [];
const toldKept = 64;

/**
 * Keeps the shared results a job's arguments hold to be told of ({@link feelSharedMemoryLater}),
 * each once: `pairs` is token, byte length, token, byte length... ({@link sharedResultToken}).
 *
 * @example
 * if (job.sharedInputs !== undefined) feelSharedInputs(job.sharedInputs);
 */
export function feelSharedInputs(pairs: readonly number[]): void {
  for (let at = 0; at < pairs.length; at += 2) {
    const token = pairs[at] as number;
    if (told.includes(token)) continue;
    told.push(token);
    if (told.length > toldKept) told.shift();
    feelSharedMemoryLater(pairs[at + 1] as number);
  }
}
