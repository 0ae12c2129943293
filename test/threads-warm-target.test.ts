/**
 * Shared memory faulted in ahead of a shareResult copy (src/threads/warm-target.ts), and how a
 * ThreadWorkflow learns which nodes get it (src/drivers/warm-targets.ts): a result of the
 * expected size is copied into the target, exact whoever faulted which chunk; any other
 * result declines it before anything is copied, which stops the faulting; the expected size
 * follows the results that came, and a node whose result needed no copy is never warmed again.
 * Run in this (main) thread, where the main thread's faulting happens in later turns of the
 * event loop; then on a ThreadWorkflow whose warmed node times out.
 */
import { ThreadWorkflow } from 'functionfuse';
import { describe, expect, it } from 'vitest';
import type { PreparedJob } from '../src/drivers/prepared-job.js';
import { WarmTargets } from '../src/drivers/warm-targets.js';
import type { Node } from '../src/graph/node.js';
import { failed, succeeded, type WireOutcomes } from '../src/threads/outcome-wire.js';
import { chunkBytes, chunkState } from '../src/threads/shared-copy.js';
import { shareResultMemory } from '../src/threads/shared-result.js';
import { type WarmTarget, warmTarget, wasTaken } from '../src/threads/warm-target.js';
import type { ExecutionPlan } from '../src/workflow/plan.js';
import { countingUnlessHeld, sumAndLast } from './fixtures/share-result-tasks.js';
import { withWorkflow } from './support/backends.js';

const { free, copier, ready } = chunkState;

function counting(bytes: number): Uint8Array {
  const values = new Uint8Array(bytes);
  for (let index = 0; index < bytes; index++) values[index] = (index * 7 + 3) & 255;
  return values;
}

/** Whether the two hold the same bytes (vitest's deep equality is far too slow for megabytes). */
function sameBytes(actual: ArrayBufferView | undefined, expected: ArrayBufferView): boolean {
  if (actual === undefined || actual.byteLength !== expected.byteLength) return false;
  const a = new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength);
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

function made(target: WarmTarget | undefined): WarmTarget {
  if (target === undefined) throw new Error('expected a warm target in the main thread');
  return target;
}

/** Lets the main thread's faulting run until every chunk is ready (bounded: 10 s). */
async function faultedIn(target: WarmTarget): Promise<void> {
  const until = Date.now() + 10_000;
  while (target.states.some((state) => state !== ready)) {
    if (Date.now() > until) throw new Error(`chunks still not ready: ${[...target.states].join(',')}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('a warm target', () => {
  // 9 whole chunks and 77 bytes: 10 chunks, the last short and of odd length.
  const length = 9 * chunkBytes + 77;

  it('takes a result of its size: the result views the target, and the bytes are exact', async () => {
    const target = made(warmTarget(length));
    await faultedIn(target);
    const bytes = counting(length);
    const shared = shareResultMemory({ bytes, label: 'x' }, target);
    expect(shared.bytes.buffer).toBe(target.target);
    expect(sameBytes(shared.bytes, bytes)).toBe(true);
    expect(shared.label).toBe('x');
    expect(wasTaken(target)).toBe(true);
  });

  it('is copied into whole by the copier when the copy comes before any fault', () => {
    const target = made(warmTarget(length));
    const bytes = counting(length);
    const shared = shareResultMemory(bytes, target);
    expect(shared.buffer).toBe(target.target);
    expect(sameBytes(shared, bytes)).toBe(true);
    expect([...target.states]).toEqual(Array(10).fill(copier));
  });

  it('declines a result of another size before copying: fresh memory, and every free chunk claimed', () => {
    const target = made(warmTarget(length));
    target.states[9] = ready; // the main thread had faulted the top chunk in
    const bytes = counting(length + 1);
    const shared = shareResultMemory(bytes, target);
    expect(shared.buffer).not.toBe(target.target);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(sameBytes(shared, bytes)).toBe(true);
    expect(wasTaken(target)).toBe(false);
    expect([...target.states]).toEqual([...Array(9).fill(copier), ready]);
  });

  it('declines a value with nothing to copy, and one already in shared memory', () => {
    const first = made(warmTarget(length));
    expect(shareResultMemory(42, first)).toBe(42);
    expect(first.states.every((state) => state === copier)).toBe(true);
    const already = new Uint8Array(new SharedArrayBuffer(length));
    const second = made(warmTarget(length));
    expect(shareResultMemory(already, second)).toBe(already);
    expect(wasTaken(second)).toBe(false);
    expect(second.states.every((state) => state === copier)).toBe(true);
  });

  it('goes to the one span of its size when a value holds several buffers', () => {
    const target = made(warmTarget(length));
    const small = counting(100);
    const large = counting(length);
    const shared = shareResultMemory([small, large, large.subarray(10, 20)], target);
    expect(shared[1]?.buffer).toBe(target.target);
    expect(shared[2]?.buffer).toBe(target.target);
    expect(shared[0]?.buffer).not.toBe(target.target);
    expect(sameBytes(shared[0], small)).toBe(true);
    expect(sameBytes(shared[1], large)).toBe(true);
    expect(sameBytes(shared[2], large.subarray(10, 20))).toBe(true);
  });

  it('stops the faulting where a declined target was', async () => {
    const target = made(warmTarget(length));
    shareResultMemory(counting(10), target);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect([...target.states]).toEqual(Array(10).fill(copier));
    expect(target.states.includes(free)).toBe(false);
  });
});

describe("a ThreadWorkflow's expected sizes of shared results", () => {
  const node = { name: 'producer' } as unknown as Node;
  const plan = { nodes: [node] } as unknown as ExecutionPlan;
  const batch = [{ index: 0, job: { shareResult: true } }] as unknown as PreparedJob[];
  const size = 9 * chunkBytes;
  /** An outcome as a worker sends it; `copiedBytes`: what its shareResult copy took, if it copied. */
  const outcome = (value: unknown, kind = succeeded, copiedBytes?: number): WireOutcomes => ({
    threadId: 1,
    kinds: [kind],
    values: [value],
    times: new Float64Array(2),
    extras: copiedBytes === undefined ? undefined : { 0: { copiedBytes } },
  });
  /** The outcome of a result copied into shared memory of `bytes`. */
  const copied = (bytes: number): WireOutcomes => outcome(sharedOf(bytes), succeeded, bytes);
  const sharedOf = (bytes: number): Float64Array => new Float64Array(new SharedArrayBuffer(bytes));

  it('warms nothing before a result is known, then the size of the last shared result', () => {
    const targets = new WarmTargets();
    expect(targets.targetsFor(batch, plan)).toBeUndefined();
    targets.learn(batch, plan, copied(size), undefined);
    const sent = targets.targetsFor(batch, plan);
    expect(sent?.[0]?.target.byteLength).toBe(size);
    targets.abandon(sent);
    expect(sent?.[0]?.states.every((state) => state === copier)).toBe(true);
  });

  it('keeps the size of a target taken, follows a new size, and never warms a node whose result was not copied', () => {
    const targets = new WarmTargets();
    targets.learn(batch, plan, copied(size), undefined);
    const taken = targets.targetsFor(batch, plan);
    Atomics.store(made(taken?.[0]).taken, 0, 1);
    targets.learn(batch, plan, copied(size), taken);
    const next = targets.targetsFor(batch, plan);
    expect(next?.[0]?.target.byteLength).toBe(size);
    // Not taken, and the result has another size: that size next time, and this one stops.
    targets.learn(batch, plan, copied(size * 2), next);
    expect(next?.[0]?.states.every((state) => state === copier)).toBe(true);
    const larger = targets.targetsFor(batch, plan);
    expect(larger?.[0]?.target.byteLength).toBe(size * 2);
    // Not taken, and nothing copied: the task made its result in shared memory itself.
    targets.learn(batch, plan, outcome(sharedOf(size * 2)), larger);
    expect(larger?.[0]?.states.every((state) => state === copier)).toBe(true);
    expect(targets.targetsFor(batch, plan)).toBeUndefined();
    targets.learn(batch, plan, copied(size), undefined);
    expect(targets.targetsFor(batch, plan)).toBeUndefined();
  });

  it('never warms a node whose first large result was made in shared memory, with nothing copied', () => {
    const targets = new WarmTargets();
    targets.learn(batch, plan, outcome(sharedOf(size)), undefined);
    expect(targets.targetsFor(batch, plan)).toBeUndefined();
    targets.learn(batch, plan, copied(size), undefined);
    expect(targets.targetsFor(batch, plan)).toBeUndefined();
  });

  it('warms nothing for small results, nor after a failure, which stops the target sent', () => {
    const targets = new WarmTargets();
    targets.learn(batch, plan, copied(chunkBytes), undefined);
    expect(targets.targetsFor(batch, plan)).toBeUndefined();
    targets.learn(batch, plan, copied(size), undefined);
    const sent = targets.targetsFor(batch, plan);
    targets.learn(batch, plan, outcome({ message: 'boom' }, failed), sent);
    expect(sent?.[0]?.states.every((state) => state === copier)).toBe(true);
    expect(targets.targetsFor(batch, plan)?.[0]?.target.byteLength).toBe(size);
  });

  it('warms only jobs with the shareResult option', () => {
    const targets = new WarmTargets();
    targets.learn(batch, plan, copied(size), undefined);
    const plain = [{ index: 0, job: {} }] as unknown as PreparedJob[];
    expect(targets.targetsFor(plain, plan)).toBeUndefined();
  });
});

describe('a ThreadWorkflow rerun whose shareResult node gets memory made ahead', () => {
  it('fails alone at a timeout, its worker stopped, and the next run is exact', async () => {
    // 9 MiB and 24 bytes: the first run teaches the workflow that size.
    const length = 9 * 2 ** 17 + 3;
    const hold = new Int32Array(new SharedArrayBuffer(4));
    const source = countingUnlessHeld(length, hold).setName('source');
    const readers = [0, 1].map((reader) => sumAndLast(source).setName(`reader ${reader}`));
    const wf = new ThreadWorkflow(readers, { workflowName: 'warm-timeout', threads: 2 });
    wf.query('source').setOptions({ shareResult: true, timeout: 5_000 });
    const read = { total: (length * (length + 1)) / 2, last: length };
    await withWorkflow(wf, async (workflow) => {
      expect(await workflow.run()).toEqual([read, read]);
      Atomics.store(hold, 0, 1);
      await expect(workflow.run()).rejects.toThrow('Node "source" failed: NodeTimeoutError');
      Atomics.store(hold, 0, 0);
      expect(await workflow.run()).toEqual([read, read]);
      expect(await workflow.run()).toEqual([read, read]);
    });
  });
});
