/**
 * Who owns a result's buffers on ThreadWorkflow, tested on the scheduler itself with a fake pool
 * that crosses a real structured-clone boundary, so the main thread's copies can be inspected.
 */
import { describe, expect, it } from 'vitest';
import { BatchSizer } from '../src/drivers/batch-sizer.js';
import { runOnThreadPool } from '../src/drivers/thread-pool-driver.js';
import { WorkflowEvents } from '../src/events/workflow-events.js';
import { type Ref, task } from '../src/index.js';
import { prepareRun } from '../src/scheduler/run-setup.js';
import { jobCount, readJob, type WireBatch } from '../src/threads/batch-wire.js';
import { succeeded, type WireOutcomes } from '../src/threads/outcome-wire.js';
import { defaultNodeOptions } from '../src/workflow/node-options.js';
import { ExecutionPlan } from '../src/workflow/plan.js';
import { defaultStorageOptions } from '../src/workflow/storage-options.js';

const makeArray = task(function ownershipMakeArray() {
  return new Float64Array([1, 2, 3]);
});
const total = task(function ownershipTotal(values: Float64Array) {
  return values.reduce((acc, value) => acc + value, 0);
});

/** Runs jobs in this thread after a structured clone that moves `transferList`, like postMessage. */
class CloningPool {
  readonly produced: Float64Array[] = [];
  readonly dispatched: { names: string[]; producedDetached: boolean[] }[] = [];

  run(batch: WireBatch, transferList: readonly ArrayBuffer[]): Promise<WireOutcomes> {
    const received = structuredClone(batch, { transfer: [...transferList] });
    const jobs = Array.from({ length: jobCount(received) }, (_, position) => readJob(received, position));
    this.dispatched.push({
      names: jobs.map((job) => job.nodeName),
      producedDetached: this.produced.map((array) => array.buffer.byteLength === 0),
    });
    const values = jobs.map((job) => {
      if (job.key === 'ownershipMakeArray') {
        const array = new Float64Array([1, 2, 3]);
        this.produced.push(array);
        return array;
      }
      return total.definition.fn(...(job.args as [Float64Array]));
    });
    return Promise.resolve({
      threadId: 1,
      kinds: jobs.map(() => succeeded),
      values,
      times: new Float64Array(jobs.length * 2).fill(1),
      extras: undefined,
    });
  }
}

async function runOnFakePool(leaves: readonly Ref[]) {
  const plan = new ExecutionPlan(leaves);
  const pool = new CloningPool();
  const run = await prepareRun('ownership', undefined, () => ({
    workflowName: 'ownership',
    plan,
    plugins: [],
    nodeOptions: plan.nodes.map(() => defaultNodeOptions),
    storage: undefined,
    storageOptions: defaultStorageOptions,
    loggedNodes: new Set(),
    events: new WorkflowEvents(),
  }));
  const results = await runOnThreadPool(run, {
    pool,
    sizer: new BatchSizer(2, 1),
    maxInFlight: 1,
    pluginCalls: [],
  });
  return { plan, pool, results };
}

describe('buffer ownership on ThreadWorkflow', () => {
  it('copies a result to all consumers but the last, which receives it by transfer', async () => {
    const array = makeArray().setName('array');
    const first = total(array).setName('first');
    const last = total(array).setName('last');
    const { pool, results, plan } = await runOnFakePool([first, last]);
    expect(pool.dispatched.map((entry) => entry.names)).toEqual([['array'], ['first'], ['last']]);
    // Dispatching "first" copied the buffer; dispatching "last" moved it.
    expect(pool.dispatched[1]?.producedDetached).toEqual([false]);
    expect(pool.dispatched[2]?.producedDetached).toEqual([true]);
    expect(pool.produced[0]?.buffer.byteLength).toBe(0);
    expect(results[plan.indexOf.get(first) as number]).toBe(6);
    expect(results[plan.indexOf.get(last) as number]).toBe(6);
    // Released once its last consumer was dispatched.
    expect(results[plan.indexOf.get(array) as number]).toBeUndefined();
  });

  it('never moves the buffer of a leaf', async () => {
    const array = makeArray().setName('leaf array');
    const consumer = total(array).setName('consumer');
    const { pool, results, plan } = await runOnFakePool([array, consumer]);
    expect(pool.produced[0]?.buffer.byteLength).toBe(24);
    expect(results[plan.indexOf.get(array) as number]).toEqual(new Float64Array([1, 2, 3]));
  });
});
