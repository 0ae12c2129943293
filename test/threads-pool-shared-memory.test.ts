/**
 * A worker does not tell its collector of the shared memory its jobs bring as they arrive (the
 * collection would stand between the result and its readers, src/threads/shared-memory-pressure.ts):
 * it says in each reply how much it holds untold, and the pool asks it to tell once it is idle.
 * Checked on a real pool: what a worker says it holds, before and after it is asked.
 */
import { describe, expect, it } from 'vitest';
import { taskModuleOf } from '../dist/src/drivers/prepared-job.js';
import { type WireBatch, WireBatchWriter } from '../dist/src/threads/batch-wire.js';
import { deferredBytesCap, sharedResultToken } from '../dist/src/threads/shared-memory-pressure.js';
import { TaskPool } from '../dist/src/threads/task-pool.js';
import { counting, sumOf } from './fixtures/share-result-tasks.js';

describe("a pool's workers, told of shared memory when idle", () => {
  const bytes = 80 * 2 ** 20;
  const node = sumOf(counting(4));
  const { moduleUrl, key } = taskModuleOf(node, 'worker threads');
  const values = new Float64Array(new SharedArrayBuffer(4 * Float64Array.BYTES_PER_ELEMENT));
  values.set([1, 2, 3, 4]);

  /** A batch of one job that sums `values`, its arguments holding the shared results `sharedInputs`. */
  function sumBatch(sharedInputs?: readonly number[]): WireBatch {
    const writer = new WireBatchWriter();
    writer.add(
      node.name,
      moduleUrl,
      key,
      [values],
      0,
      sharedInputs === undefined ? undefined : { sharedInputs },
    );
    return writer.finish([]);
  }

  it('says in its reply what it has not told, and tells once the pool finds it idle', async () => {
    const pool = new TaskPool({ threads: 1 });
    try {
      const brought = await pool.run(sumBatch([sharedResultToken(), bytes]), []);
      expect(brought.values).toEqual([10]);
      expect(brought.untoldSharedBytes).toBe(bytes);
      // The same result again is not told of twice.
      const token = sharedResultToken();
      expect((await pool.run(sumBatch([token, bytes]), [])).untoldSharedBytes).toBe(2 * bytes);
      expect((await pool.run(sumBatch([token, bytes]), [])).untoldSharedBytes).toBe(2 * bytes);
      await pool.tellIdleWorkersOfSharedMemory();
      const after = await pool.run(sumBatch(), []);
      expect(after.values).toEqual([10]);
      expect(after.untoldSharedBytes).toBe(0);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('tells at once, with no idle time, what goes past the cap', async () => {
    const pool = new TaskPool({ threads: 1 });
    try {
      const overCap = Math.floor(deferredBytesCap / bytes) + 1;
      const pairs = Array.from({ length: overCap }, () => [sharedResultToken(), bytes]).flat();
      expect((await pool.run(sumBatch(pairs), [])).untoldSharedBytes).toBe(0);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('resolves at once when no worker holds untold shared memory, and after close when one does', async () => {
    const pool = new TaskPool({ threads: 2 });
    await pool.run(sumBatch(), []);
    await expect(pool.tellIdleWorkersOfSharedMemory()).resolves.toBeUndefined();
    await pool.run(sumBatch([sharedResultToken(), bytes]), []);
    const asked = pool.tellIdleWorkersOfSharedMemory();
    await pool.close();
    await expect(asked).resolves.toBeUndefined();
  }, 30_000);
});
