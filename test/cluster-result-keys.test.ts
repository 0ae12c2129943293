/**
 * A cluster result in Redis: a head and one string per raw part, written then checked against
 * the run's alive key, read in one round trip, deleted with every part its head counts; and a
 * BullMQWorkflow closed right after run() stops that run and leaves no key of it.
 */
import { BullMQWorkflow, WorkflowClosedError } from 'functionfuse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteResults } from '../src/cluster/result-deletes.js';
import { readResults } from '../src/cluster/result-reads.js';
import { writeResults } from '../src/cluster/result-writes.js';
import { aliveKey, newRunId } from '../src/cluster/run-keys.js';
import { packValue, unpackValue } from '../src/cluster/wire-format.js';
import { add, ramp } from './fixtures/cluster-tasks.js';
import {
  type RedisForTests,
  redisServer,
  scanKeys,
  startWorkerProcess,
  type TestWorker,
  useRedisClient,
} from './support/cluster.js';

const queue = 'cluster-result-keys';
const ttlMs = 60_000;
let cluster: RedisForTests;

/** Three raw parts (two arrays of 1 MB and one of 80 KB) beside plain fields. */
function threeParts(seed: number) {
  return {
    name: `value ${seed}`,
    big: Float64Array.from({ length: 131_072 }, (_, index) => seed + index / 7),
    also: new Uint8Array(1 << 20).fill(seed),
    small: new Int32Array(20_480).fill(-seed),
  };
}

/** The run's keys in Redis, sorted, without the run's id. */
async function keysOf(runId: string): Promise<string[]> {
  const keys = await scanKeys(cluster.redis.url, `functionfuse:{${runId}}:*`);
  return keys.map((key) => key.slice(`functionfuse:{${runId}}:`.length)).sort();
}

async function aliveRun(): Promise<string> {
  const runId = newRunId();
  await cluster.client.set(aliveKey(runId), '1', 'PX', ttlMs);
  return runId;
}

describe.runIf(redisServer.runs)('cluster results in Redis', () => {
  cluster = useRedisClient();

  describeResultKeys();
  describeEarlyClose();
});

function describeResultKeys(): void {
  it('writes a head and a key per raw part, and reads them back bit for bit in one call', async () => {
    const runId = await aliveRun();
    const value = threeParts(3);
    expect(
      await writeResults(
        cluster.client,
        runId,
        [
          [4, packValue(value)],
          [5, packValue('plain')],
        ],
        ttlMs,
      ),
    ).toBe(true);
    expect(await keysOf(runId)).toEqual([
      'alive',
      'result:4',
      'result:4:0',
      'result:4:1',
      'result:4:2',
      'result:5',
    ]);

    const { alive, results } = await readResults(cluster.client, runId, [4, 5, 6], true);
    expect(alive).toBe(true);
    expect([...results.keys()]).toEqual([4, 5]);
    const read = unpackValue(results.get(4) as NonNullable<ReturnType<typeof results.get>>) as typeof value;
    expect(read.name).toBe('value 3');
    expect(read.big).toBeInstanceOf(Float64Array);
    expect(Buffer.from(read.big.buffer).equals(Buffer.from(value.big.buffer))).toBe(true);
    expect(Buffer.from(read.also.buffer).equals(Buffer.from(value.also.buffer))).toBe(true);
    expect([...read.small.subarray(0, 3)]).toEqual([-3, -3, -3]);
    expect(unpackValue(results.get(5) as NonNullable<ReturnType<typeof results.get>>)).toBe('plain');
    expect(await cluster.client.pttl(`functionfuse:{${runId}}:result:4:2`)).toBeGreaterThan(ttlMs - 10_000);
    await cluster.client.del(aliveKey(runId));
    expect(await deleteResults(cluster.client, runId, [4, 5])).toBe(5);
  });

  it('rewrites a result whole: a second write with fewer parts leaves none of the first', async () => {
    const runId = await aliveRun();
    expect(await writeResults(cluster.client, runId, [[1, packValue(threeParts(1))]], ttlMs)).toBe(true);
    const single = new Float64Array(16_384).fill(2.5);
    expect(await writeResults(cluster.client, runId, [[1, packValue(single)]], ttlMs)).toBe(true);
    expect(await keysOf(runId)).toEqual(['alive', 'result:1', 'result:1:0']);
    const { results } = await readResults(cluster.client, runId, [1], false);
    const read = unpackValue(results.get(1) as NonNullable<ReturnType<typeof results.get>>) as Float64Array;
    expect(Buffer.from(read.buffer).equals(Buffer.from(single.buffer))).toBe(true);
    await cluster.client.del(aliveKey(runId));
    await deleteResults(cluster.client, runId, [1]);
    expect(await keysOf(runId)).toEqual([]);
  });

  it('deletes what it wrote when the run is over, and says so', async () => {
    const runId = newRunId(); // never alive: the run ended before the write
    expect(await writeResults(cluster.client, runId, [[2, packValue(threeParts(2))]], ttlMs)).toBe(false);
    expect(await keysOf(runId)).toEqual([]);
  });

  it('deletes every part a head counts, told only the results', async () => {
    const runId = await aliveRun();
    await writeResults(
      cluster.client,
      runId,
      [
        [7, packValue(threeParts(7))],
        [8, packValue(8)],
      ],
      ttlMs,
    );
    await cluster.client.del(aliveKey(runId));
    // 9 was never written (its job was still out): it costs nothing.
    expect(await deleteResults(cluster.client, runId, [7, 8, 9])).toBe(5);
    expect(await keysOf(runId)).toEqual([]);
  });

  it('takes a result missing a part for a result that is not there', async () => {
    const runId = await aliveRun();
    await writeResults(cluster.client, runId, [[3, packValue(threeParts(3))]], ttlMs);
    await cluster.client.del(`functionfuse:{${runId}}:result:3:1`);
    const { results } = await readResults(cluster.client, runId, [3], true);
    expect(results.size).toBe(0);
    await cluster.client.del(aliveKey(runId));
    await deleteResults(cluster.client, runId, [3]);
  });
}

function describeEarlyClose(): void {
  describe('BullMQWorkflow closed right after run()', () => {
    let worker: TestWorker;
    beforeAll(async () => {
      worker = await startWorkerProcess({ url: cluster.redis.url, queue });
    }, 60_000);

    afterAll(async () => {
      await worker?.stop();
    }, 60_000);

    it('rejects that run with WorkflowClosedError, leaves no key of it, and runs again', async () => {
      const values = ramp(200_000, 1);
      const workflow = new BullMQWorkflow([values, add([1, 2])], {
        workflowName: 'closed-early',
        connection: cluster.redis.url,
        queueName: queue,
      });
      try {
        const running = workflow.run().catch((error: unknown) => error);
        await workflow.close();
        const error = (await running) as Error;
        expect(error).toBeInstanceOf(WorkflowClosedError);
        expect(error.message).toBe(
          'Workflow "closed-early" was closed while running: close() stopped its nodes and ended its Redis ' +
            'connections before run() settled. Await run() before calling close().',
        );
        expect(await scanKeys(cluster.redis.url, 'functionfuse:{*')).toEqual([]);
        const [array, sum] = await workflow.run();
        expect((array as Float64Array)[199_999]).toBe(200_000);
        expect(sum).toBe(3);
      } finally {
        await workflow.close();
      }
      expect(await scanKeys(cluster.redis.url, 'functionfuse:{*')).toEqual([]);
    }, 60_000);
  });
}
