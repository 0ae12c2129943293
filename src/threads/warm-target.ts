/**
 * Shared memory faulted in ahead of a `shareResult` copy, while the node still runs.
 *
 * The copy of a large result into fresh SharedArrayBuffer memory costs its page faults far
 * more than its bytes (80 MB: about 40 ms of faults against 6 ms of copying on the benchmark
 * machine), and even shared with the main thread (shared-copy.ts) the faults come after the
 * node has returned, on the way to its consumers. When the main thread expects a node's
 * shared result to have a given size (its last run's, drivers/warm-targets.ts), it allocates
 * that much shared memory as the node is sent and faults it in, in slices, while the node
 * runs: the same chunk protocol as a copy's helper, started earlier. The worker copies into it
 * if the result has exactly that size, and meets whatever the main thread has not faulted yet
 * as a copy meets its helper. A target of the wrong size is declined at once, which stops the
 * faulting; nothing else waits for it, so a wrong guess costs the main thread's faults done so
 * far and the memory until it is collected, never a result.
 *
 * Taken once: the worker claims it by compare-and-swap, and the main thread reads the claim
 * after the node's outcome arrives, to know whether its guess was right.
 */
import { isMainThread } from 'node:worker_threads';
import { type CopyOffer, chunkBytes, chunkState, faultIn } from './shared-copy.js';

/** A copy's target made ahead, and whether a worker took it. */
export interface WarmTarget extends CopyOffer {
  /** 0 until a worker takes the target for a copy, then 1. */
  readonly taken: Int32Array;
}

/**
 * `byteLength` bytes of shared memory that the calling (main) thread faults in from the next
 * turn of its event loop on, so that the message carrying the target leaves first. In a
 * worker thread, none: only the main thread helps (shared-copy.ts says why).
 *
 * @example
 * const warm = warmTarget(80 * 2 ** 20); // sent with the job; the worker copies into it
 */
export function warmTarget(byteLength: number): WarmTarget | undefined {
  if (!isMainThread) return undefined;
  const chunks = Math.ceil(byteLength / chunkBytes);
  const target: WarmTarget = {
    target: new SharedArrayBuffer(byteLength),
    states: new Int32Array(new SharedArrayBuffer(chunks * 4)),
    taken: new Int32Array(new SharedArrayBuffer(4)),
  };
  setImmediate(() => faultIn(target));
  return target;
}

/** Claims `warm` for a copy of `byteLength` bytes: true when it has that size and nobody took it. */
export function takeWarmTarget(warm: WarmTarget, byteLength: number): boolean {
  return warm.target.byteLength === byteLength && Atomics.compareExchange(warm.taken, 0, 0, 1) === 0;
}

/** Whether a worker took `warm` for its copy. */
export function wasTaken(warm: WarmTarget): boolean {
  return Atomics.load(warm.taken, 0) === 1;
}

/**
 * Stops the faulting of a target nobody will copy into: every chunk still free is claimed, so
 * the main thread's next claim fails and it stops (a chunk it is faulting, it finishes).
 */
export function stopWarming(warm: WarmTarget): void {
  const { states } = warm;
  for (let chunk = 0; chunk < states.length; chunk++) {
    Atomics.compareExchange(states, chunk, chunkState.free, chunkState.copier);
  }
}
