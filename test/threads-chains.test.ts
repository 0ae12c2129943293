/**
 * Chains on ThreadWorkflow: once nodes are known to be quick, a quick node goes to its worker
 * with the quick descendants that become ready inside its batch. Tested twice over: on the
 * driver with an in-process pool that runs the real worker entry behind a structured-clone
 * boundary (so each batch can be inspected), and on real worker threads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LocalWorkflow,
  type Node,
  type Ref,
  ThreadWorkflow,
  WorkerDiedError,
  WorkflowFailedError,
} from 'functionfuse';
import { valueSymbol } from 'piscina';
import { describe, expect, it } from 'vitest';
// The driver's parts from the built package, like the tasks (which import 'functionfuse'): one
// registry and one set of error classes for both.
import { BatchSizer } from '../dist/src/drivers/batch-sizer.js';
import { runOnThreadPool } from '../dist/src/drivers/thread-pool-driver.js';
import { WorkflowEvents } from '../dist/src/events/workflow-events.js';
import { NODE_STATE_NAMES } from '../dist/src/scheduler/node-state.js';
import { prepareRun } from '../dist/src/scheduler/run-setup.js';
import { jobCount, readJob, type WireBatch } from '../dist/src/threads/batch-wire.js';
import type { WireOutcomes } from '../dist/src/threads/outcome-wire.js';
import { defaultNodeOptions } from '../dist/src/workflow/node-options.js';
import { ExecutionPlan } from '../dist/src/workflow/plan.js';
import { defaultStorageOptions } from '../dist/src/workflow/storage-options.js';
import handle from '../dist/workers/task-worker.js';
import { exitsIf, failsIf, labelled, pair, statsOf, step, sumOf, zeroFirst } from './fixtures/chain-tasks.js';
import { withWorkflow } from './support/backends.js';

/** Runs batches with the real worker entry in this thread, each way through a structured clone. */
class InProcessPool {
  readonly batches: { names: string[]; returned: string[] }[] = [];

  async run(batch: WireBatch): Promise<WireOutcomes> {
    const received = structuredClone(batch);
    const names = Array.from(
      { length: jobCount(received) },
      (_, position) => readJob(received, position).nodeName,
    );
    const reply = (await handle(received)) as WireOutcomes | { [valueSymbol]: WireOutcomes };
    const outcomes = structuredClone(valueSymbol in reply ? reply[valueSymbol] : reply);
    this.batches.push({
      names,
      returned: names.filter((_, position) => outcomes.values[position] !== undefined),
    });
    return outcomes;
  }
}

/**
 * A sizer that takes every task for quick (0.001 ms a call) and keeps it so: what the nodes
 * really take on a busy machine does not change how they are batched.
 */
class QuickSizer extends BatchSizer {
  override record(): void {}
  override estimate(): number {
    return 0.001;
  }
}

/** Runs `leaves` on the driver, with every task known to be quick. */
async function runChained(
  leaves: readonly Ref[],
  options: { failFast?: boolean; maxBatchSize?: number } = {},
) {
  const plan = new ExecutionPlan(leaves as readonly Ref[]);
  const sizer = new QuickSizer(2, options.maxBatchSize ?? 64);
  const pool = new InProcessPool();
  const events = new WorkflowEvents();
  const finished: { node: string; startedAt: number; durationMs: number }[] = [];
  events.on('node-finished', (event) => finished.push(event));
  const run = await prepareRun('chains', { failFast: options.failFast ?? true }, () => ({
    workflowName: 'chains',
    plan,
    plugins: [],
    nodeOptions: plan.nodes.map(() => defaultNodeOptions),
    storage: undefined,
    storageOptions: defaultStorageOptions,
    loggedNodes: new Set(),
    events,
  }));
  const results = runOnThreadPool(run, { pool, sizer, maxInFlight: 1, pluginCalls: [] });
  return { plan, pool, run, results, finished };
}

function chainOf(length: number): Node<number>[] {
  const nodes: Node<number>[] = [step(0).setName('step 1')];
  for (let hop = 2; hop <= length; hop++)
    nodes.push(step(nodes[nodes.length - 1] as Node<number>).setName(`step ${hop}`));
  return nodes;
}

describe('chains of quick nodes, on the driver', () => {
  it('sends a chain in batches of maxBatchSize, and only the leaf comes back', async () => {
    const chain = chainOf(100);
    const leaf = chain[99] as Node<number>;
    const { pool, plan, results, finished } = await runChained([leaf]);
    const values = await results;
    expect(values[plan.indexOf.get(leaf) as number]).toBe(100);
    expect(pool.batches.map((batch) => batch.names.length)).toEqual([64, 36]);
    expect(pool.batches[0]?.names).toEqual(chain.slice(0, 64).map((node) => node.name));
    // step 64 is read by step 65, in the next batch; nothing else leaves its worker until the leaf.
    expect(pool.batches.map((batch) => batch.returned)).toEqual([['step 64'], ['step 100']]);
    // Every node has its own event, in chain order, with its own start and duration.
    expect(finished.map((event) => event.node)).toEqual(chain.map((node) => node.name));
    for (const [position, event] of finished.entries()) {
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
      if (position > 0)
        expect(event.startedAt).toBeGreaterThanOrEqual(
          (finished[position - 1] as (typeof finished)[number]).startedAt,
        );
    }
  });

  it('runs a small sub-graph in one batch: a node waits in the batch for all of its parents', async () => {
    const a = step(1).setName('a');
    const b = step(a).setName('b');
    const c = step(a).setName('c');
    const joined = pair(b, c).setName('joined');
    const total = sumOf(joined).setName('total');
    const { pool, plan, results } = await runChained([total, b]);
    const values = await results;
    expect(pool.batches.map((batch) => batch.names)).toEqual([['a', 'b', 'c', 'joined', 'total']]);
    expect(pool.batches[0]?.returned).toEqual(['b', 'total']);
    expect(values[plan.indexOf.get(total) as number]).toBe(6);
    expect(values[plan.indexOf.get(b) as number]).toBe(3);
  });

  it('fills items of parents of the batch into nested arguments, by string and number keys', async () => {
    const stats = statsOf([1, 2, 6]).setName('stats');
    const inner = [stats.item('mean'), stats.item('the parts').item(2), 7];
    const label = labelled({ name: 'x', inner }).setName('label');
    const { pool, plan, results } = await runChained([label]);
    const values = await results;
    expect(pool.batches.map((batch) => batch.names)).toEqual([['stats', 'label']]);
    expect(pool.batches[0]?.returned).toEqual(['label']);
    expect(values[plan.indexOf.get(label) as number]).toBe('x:3:6:7');
    // The user's own containers are not filled in.
    expect(inner[2]).toBe(7);
    expect(typeof inner[0]).toBe('object');
  });

  it('gives each consumer in the batch its own copy of a result read twice, and keeps a leaf intact', async () => {
    const source = pair(1, 2).setName('source');
    const mutating = zeroFirst(source).setName('mutating');
    const reading = sumOf(source).setName('reading');
    const { pool, plan, results } = await runChained([source, mutating, reading]);
    const values = await results;
    expect(pool.batches.map((batch) => batch.names)).toEqual([['source', 'mutating', 'reading']]);
    expect(values[plan.indexOf.get(mutating) as number]).toBe(2);
    expect(values[plan.indexOf.get(reading) as number]).toBe(3);
    expect(values[plan.indexOf.get(source) as number]).toEqual([1, 2]);
  });

  it('fails the node that threw, skips what follows it in the batch, and runs nothing after it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ff-chains-'));
    const marker = join(folder, 'fail');
    try {
      writeFileSync(marker, '');
      const first = step(0).setName('first');
      const failing = failsIf(first, marker).setName('failing');
      const after = step(failing).setName('after');
      const last = step(after).setName('last');
      const elsewhere = step(10).setName('elsewhere');
      const { pool, run, results } = await runChained([last, elsewhere], { failFast: false });
      const error = await results.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expect((error as WorkflowFailedError).failed).toEqual(['failing']);
      expect(((error as WorkflowFailedError).errors[0] as { cause: Error }).cause.message).toBe(
        'step after 1 failed',
      );
      expect(pool.batches.map((batch) => batch.names)).toEqual([
        ['first', 'elsewhere', 'failing', 'after', 'last'],
      ]);
      const states = run.plan.nodes.map((node, index) => [
        node.name,
        NODE_STATE_NAMES[run.core.stateOf(index)],
      ]);
      expect(Object.fromEntries(states)).toEqual({
        first: 'done',
        failing: 'failed',
        after: 'skipped',
        last: 'skipped',
        elsewhere: 'done',
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('chains of quick nodes, on worker threads', () => {
  it('gives the results of LocalWorkflow on every run, as chains are learned', async () => {
    const roots = [1, 2, 3].map((seed) => step(seed));
    const middle = roots.map((root) => step(root));
    const joined = pair(middle[0] as Node<number>, middle[1] as Node<number>);
    const leaves = [sumOf(joined), step(middle[2] as Node<number>)];
    const expected = await new LocalWorkflow(leaves, { workflowName: 'local' }).run();
    await withWorkflow(new ThreadWorkflow(leaves, { workflowName: 'threads', threads: 2 }), async (wf) => {
      for (let round = 0; round < 3; round++) expect(await wf.run()).toEqual(expected);
    });
  });

  it('fails only the node whose worker died mid-batch; its ancestors complete, its descendants are skipped', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ff-chains-'));
    const marker = join(folder, 'exit');
    try {
      const chain = chainOf(20);
      const exits = exitsIf(chain[19] as Node<number>, marker).setName('exits');
      const after = step(exits).setName('after');
      const wf = new ThreadWorkflow([after, chain[9] as Node<number>], {
        workflowName: 'chain-exit',
        threads: 1,
      });
      await withWorkflow(wf, async (workflow) => {
        expect(await workflow.run()).toEqual([22, 10]); // learns that every node is quick
        writeFileSync(marker, '');
        const finished: string[] = [];
        workflow.on('node-finished', (event) => finished.push(event.node));
        const error = await workflow.run({ failFast: false }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(WorkflowFailedError);
        expect((error as WorkflowFailedError).failed).toEqual(['exits']);
        const cause = (error as WorkflowFailedError).errors[0]?.cause;
        expect(cause).toBeInstanceOf(WorkerDiedError);
        expect((cause as Error).message).toBe(
          'The worker thread running node "exits" exited with code 9 (process.exit() in the task?)',
        );
        expect(finished.sort()).toEqual(chain.map((node) => node.name).sort());
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
