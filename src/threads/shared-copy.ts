/**
 * A large copy into fresh SharedArrayBuffer memory, with a second thread taking part.
 *
 * Most of such a copy is not the bytes: fresh memory costs a page fault on its first write,
 * and on the benchmark machine (a virtual one) 80 MB of faults take about 57 ms against 20 ms
 * for copying the bytes. The faults can be taken by any thread, since the memory is shared,
 * and the main thread of a ThreadWorkflow mostly waits on its workers. So the copying thread
 * offers the memory to the main thread (a BroadcastChannel: no set-up per worker), which writes
 * one zero per page into 1 MiB chunks from the top down while the copying thread copies from
 * the bottom up, faulting as it goes, and into each chunk the helper has made ready as soon as
 * it is (copying into faulted memory is quick), so that both take faults until they meet.
 *
 * Each chunk is claimed once, by compare-and-swap on its state (free, copier's, helper's,
 * ready): the helper writes only into chunks it claimed, before the copier copies into them,
 * and the copier waits for a helper's chunk to be ready before copying into it. A claimed
 * chunk is finished in one synchronous loop, so the wait is short and ends: the main thread
 * cannot stop halfway through a chunk without the process ending. A copier whose offer nobody
 * takes (no pool in the process, the main thread busy) finds every chunk free and copies alone,
 * as it would without a helper; a main thread that takes it late finds the chunks claimed and
 * stops at once. A copy in the main thread itself is made alone. When the main thread knows a
 * copy's size ahead, it starts the same protocol earlier, while the node runs (warm-target.ts).
 */
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

const channelName = 'functionfuse:shared-copy';
/** The unit a thread claims: 1 MiB, 256 pages. */
export const chunkBytes = 2 ** 20;
const pageBytes = 4096;
/** Copies below this are not worth a message: the faults of 8 MiB take a few ms. */
export const helpedCopyBytes = 8 * chunkBytes;
/** The helper returns to its event loop after this long, and goes on after other work. */
const helperSliceMs = 4;

/** The states of a chunk, in the offer's `states`. */
export const chunkState = { free: 0, copier: 1, helper: 2, ready: 3 } as const;
const { free, copier, helper, ready } = chunkState;

/** A copy's target memory and the states of its chunks, as offered to the helping thread. */
export interface CopyOffer {
  readonly target: SharedArrayBuffer;
  readonly states: Int32Array;
}

let offerChannel: BroadcastChannel | undefined;
let helpChannel: BroadcastChannel | undefined;
let helpUsers = 0;

/**
 * `bytes` copied into a new SharedArrayBuffer of their length. A large copy is offered to the
 * thread that runs {@link helpSharedCopies} (the main thread of a pool), which faults in part
 * of the fresh memory meanwhile.
 *
 * @example
 * const shared = copyToSharedMemory(new Uint8Array(array.buffer));
 */
export function copyToSharedMemory(bytes: Uint8Array): SharedArrayBuffer {
  const target = new SharedArrayBuffer(bytes.byteLength);
  if (bytes.byteLength < helpedCopyBytes || isMainThread) {
    new Uint8Array(target).set(bytes);
    return target;
  }
  const chunks = Math.ceil(bytes.byteLength / chunkBytes);
  const offer: CopyOffer = { target, states: new Int32Array(new SharedArrayBuffer(chunks * 4)) };
  offerChannel ??= unrefed(new BroadcastChannel(channelName));
  offerChannel.postMessage(offer);
  copyClaimingChunks(bytes, offer);
  return target;
}

/**
 * The copier's part: copies `bytes` into the offer's target. A chunk the helper has made ready
 * is copied first, from the top down, since copying into faulted memory is quick (about a third
 * of a fault's cost); otherwise the copier claims the lowest free chunk and copies into it,
 * faulting as it goes. So the helper faults until the two meet, and the copier is never idle
 * while a fault is left for it to take. When the lowest chunk left is the helper's, every chunk
 * left is (the helper claims downwards from the top without a gap), and the copier waits for
 * the top one.
 */
export function copyClaimingChunks(bytes: Uint8Array, { target, states }: CopyOffer): void {
  const into = new Uint8Array(target);
  let low = 0;
  let high = states.length - 1;
  while (low <= high) {
    if (Atomics.load(states, high) === ready) copyChunk(bytes, into, high--);
    else if (Atomics.compareExchange(states, low, free, copier) === free) copyChunk(bytes, into, low++);
    else {
      while (Atomics.load(states, high) !== ready) Atomics.wait(states, high, helper, 1_000);
      copyChunk(bytes, into, high--);
    }
  }
}

/**
 * Has the main thread take the page faults of worker threads' large shared copies while it is
 * idle. Counted: each call is undone by one call of the function it returns. Only the main
 * thread helps: a worker thread can be terminated halfway through a chunk, and its copier
 * would then wait for that chunk for ever.
 */
export function helpSharedCopies(): () => void {
  if (!isMainThread) return () => {};
  helpUsers++;
  if (helpChannel === undefined) {
    helpChannel = unrefed(new BroadcastChannel(channelName));
    helpChannel.onmessage = (event) => faultIn((event as { data: CopyOffer }).data);
  }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    helpUsers--;
    if (helpUsers === 0) {
      helpChannel?.close();
      helpChannel = undefined;
    }
  };
}

/**
 * The helper's part: claims chunks from `from` down, writing one zero per page of each, until it
 * meets a chunk the copier claimed; after `sliceMs` it goes on in a later turn of the event
 * loop, holding no claim meanwhile.
 */
export function faultIn(offer: CopyOffer, from = offer.states.length - 1, sliceMs = helperSliceMs): void {
  const { target, states } = offer;
  const bytes = new Uint8Array(target);
  const sliceEnds = performance.now() + sliceMs;
  for (let chunk = from; chunk >= 0; chunk--) {
    if (Atomics.compareExchange(states, chunk, free, helper) !== free) return;
    const end = Math.min((chunk + 1) * chunkBytes, target.byteLength);
    for (let byte = chunk * chunkBytes; byte < end; byte += pageBytes) bytes[byte] = 0;
    Atomics.store(states, chunk, ready);
    Atomics.notify(states, chunk);
    if (performance.now() > sliceEnds) {
      setImmediate(() => faultIn(offer, chunk - 1, sliceMs));
      return;
    }
  }
}

function copyChunk(bytes: Uint8Array, into: Uint8Array, chunk: number): void {
  const start = chunk * chunkBytes;
  into.set(bytes.subarray(start, Math.min(start + chunkBytes, bytes.byteLength)), start);
}

function unrefed(channel: BroadcastChannel): BroadcastChannel {
  (channel as unknown as { unref(): void }).unref();
  return channel;
}
