/**
 * A worker collects the memory its jobs left while it is idle (src/threads/idle-collection.ts):
 * the shared memory its jobs brought, which it has not told its collector of (telling on
 * arrival would stand between a result and its readers), and the ordinary memory a
 * `shareResult` copy was made from. Each reply says how much it holds, and the pool asks it to
 * collect once it is idle. Checked in this thread (a collection really runs) and on a real pool:
 * what a worker says it holds, before and after it is asked, and a close while it collects.
 */
import { constants } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { taskModuleOf } from '../dist/src/drivers/prepared-job.js';
import { shareResultFlag, type WireBatch, WireBatchWriter } from '../dist/src/threads/batch-wire.js';
import { deferredBytesCap, sharedResultToken } from '../dist/src/threads/shared-memory-pressure.js';
import { TaskPool } from '../dist/src/threads/task-pool.js';
import {
  CollectionWatch,
  collectWhileIdle,
  leaveForCollection,
  uncollectedBytes,
} from '../src/threads/idle-collection.js';
import { feltBytes } from '../src/threads/shared-memory-pressure.js';
import { countingInOrdinaryMemory, sumOf } from './fixtures/share-result-tasks.js';

describe('collecting in this thread', () => {
  it('runs a full collection when what is left is worth one, and resolves once it has ended', async () => {
    let target: object | undefined = { unreachable: 'soon' };
    const ref = new WeakRef(target);
    target = undefined;
    // A WeakRef's target is kept until the current turn ends.
    await new Promise((resolve) => setImmediate(resolve));
    leaveForCollection(feltBytes);
    expect(uncollectedBytes()).toBeGreaterThanOrEqual(feltBytes);
    await collectWhileIdle();
    expect(ref.deref()).toBeUndefined();
    expect(uncollectedBytes()).toBe(0);
  }, 30_000);

  it('resolves at once, collecting nothing, when too little is left', async () => {
    leaveForCollection(1024);
    let settled = false;
    const collected = collectWhileIdle().then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(true);
    await collected;
    // Kept: it adds up with what later jobs leave.
    expect(uncollectedBytes()).toBe(1024);
  });
});

describe('which reported collection frees what a worker left', () => {
  const {
    NODE_PERFORMANCE_GC_INCREMENTAL: marking,
    NODE_PERFORMANCE_GC_MAJOR: full,
    NODE_PERFORMANCE_GC_MINOR: minor,
  } = constants;

  it('passes over reports of collections that began before the tell', () => {
    const watch = new CollectionWatch();
    watch.told(100);
    expect([watch.see(40, marking), watch.see(90, full), watch.see(99.9, full)]).toEqual([
      'wait',
      'wait',
      'wait',
    ]);
  });

  it('ends at a full collection whose marking began at the tell or after', () => {
    const watch = new CollectionWatch();
    watch.told(100);
    expect([watch.see(100, marking), watch.see(104, minor), watch.see(112, full)]).toEqual([
      'wait',
      'wait',
      'ended',
    ]);
  });

  it('tells once more when the full collection that ended began marking during the run', () => {
    const watch = new CollectionWatch();
    watch.told(100);
    // Marking begun before the tell, reported late, then hurried to its end by the tell.
    expect([watch.see(60, marking), watch.see(100.2, full)]).toEqual(['wait', 'tell again']);
    watch.told(106);
    // Older reports still arriving are passed over; the next full collection counts.
    expect([watch.see(101, full), watch.see(106.1, full)]).toEqual(['wait', 'ended']);
  });
});

describe("a pool's workers, collecting when idle", () => {
  const bytes = 80 * 2 ** 20;
  const sum = sumOf(countingInOrdinaryMemory(4));
  const summing = taskModuleOf(sum, 'worker threads');
  const source = countingInOrdinaryMemory(4);
  const making = taskModuleOf(source, 'worker threads');
  const values = new Float64Array(new SharedArrayBuffer(4 * Float64Array.BYTES_PER_ELEMENT));
  values.set([1, 2, 3, 4]);

  /** A batch of one job that sums `values`, its arguments holding the shared results `sharedInputs`. */
  function sumBatch(sharedInputs?: readonly number[]): WireBatch {
    const writer = new WireBatchWriter();
    writer.add(
      sum.name,
      summing.moduleUrl,
      summing.key,
      [values],
      0,
      sharedInputs === undefined ? undefined : { sharedInputs },
    );
    return writer.finish([]);
  }

  /** A batch of one `shareResult` job that makes 1..length in ordinary memory. */
  function shareBatch(length: number): WireBatch {
    const writer = new WireBatchWriter();
    writer.add(source.name, making.moduleUrl, making.key, [length], shareResultFlag, undefined);
    return writer.finish([]);
  }

  it('says in its reply what shared memory its jobs brought, and collects once the pool finds it idle', async () => {
    const pool = new TaskPool({ threads: 1 });
    try {
      const brought = await pool.run(sumBatch([sharedResultToken(), bytes]), []);
      expect(brought.values).toEqual([10]);
      expect(brought.uncollectedBytes).toBe(bytes);
      // The same result again is not counted twice.
      const token = sharedResultToken();
      expect((await pool.run(sumBatch([token, bytes]), [])).uncollectedBytes).toBe(2 * bytes);
      expect((await pool.run(sumBatch([token, bytes]), [])).uncollectedBytes).toBe(2 * bytes);
      await pool.collectInIdleWorkers();
      const after = await pool.run(sumBatch(), []);
      expect(after.values).toEqual([10]);
      expect(after.uncollectedBytes).toBe(0);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('counts the ordinary memory a shareResult copy was made from, until it collects', async () => {
    const pool = new TaskPool({ threads: 1 });
    try {
      const length = bytes / Float64Array.BYTES_PER_ELEMENT;
      const made = await pool.run(shareBatch(length), []);
      const [shared] = made.values as [Float64Array];
      expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect([shared.length, shared[0], shared[length - 1]]).toEqual([length, 1, length]);
      expect(made.uncollectedBytes).toBe(bytes);
      await pool.collectInIdleWorkers();
      expect((await pool.run(sumBatch(), [])).uncollectedBytes).toBe(0);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('asks every idle worker, so the one that holds memory collects whichever Piscina picks first', async () => {
    const pool = new TaskPool({ threads: 2 });
    try {
      // Both workers up, each with the modules loaded: neither is starting when asked.
      await pool.warm([summing.moduleUrl, making.moduleUrl], 10_000);
      // One job on each worker, the first holding nothing: Piscina gives a lone request to
      // the first idle worker, so asking only as many as hold memory reached this one.
      const [empty, made] = await Promise.all([
        pool.run(sumBatch(), []),
        pool.run(shareBatch(bytes / Float64Array.BYTES_PER_ELEMENT), []),
      ]);
      expect(empty.threadId).not.toBe(made.threadId);
      expect([empty.uncollectedBytes, made.uncollectedBytes]).toEqual([0, bytes]);
      await pool.collectInIdleWorkers();
      // Two jobs at once on two idle workers: one each; a few tries if Piscina put both on one.
      let holderReply: { readonly uncollectedBytes?: number } | undefined;
      for (let attempt = 0; attempt < 10 && holderReply === undefined; attempt++) {
        const replies = await Promise.all([pool.run(sumBatch(), []), pool.run(sumBatch(), [])]);
        holderReply = replies.find((reply) => reply.threadId === made.threadId);
      }
      expect(holderReply?.uncollectedBytes).toBe(0);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('tells at once, with no idle time, what shared memory goes past the cap', async () => {
    const pool = new TaskPool({ threads: 1 });
    try {
      const overCap = Math.floor(deferredBytesCap / bytes) + 1;
      const pairs = Array.from({ length: overCap }, () => [sharedResultToken(), bytes]).flat();
      expect((await pool.run(sumBatch(pairs), [])).uncollectedBytes).toBe(0);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('resolves at once when no worker holds memory to collect, and closes cleanly while one collects', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const pool = new TaskPool({ threads: 1 });
    try {
      await pool.run(sumBatch(), []);
      await expect(pool.collectInIdleWorkers()).resolves.toBeUndefined();
      await pool.run(sumBatch([sharedResultToken(), bytes]), []);
      const asked = pool.collectInIdleWorkers();
      await pool.close();
      await expect(asked).resolves.toBeUndefined();
      // A warning is emitted in a later turn.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  }, 30_000);
});
