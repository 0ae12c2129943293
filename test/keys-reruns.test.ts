/**
 * Stored results know what they were computed from, on every backend: each run is a process
 * of its own (ES modules are cached, and the tests edit a task module between runs).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileStorage } from 'functionfuse';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type KeysParams, keysPipelineSource } from './fixtures/keys-pipeline.js';
import { backendsUnderTest, type ClusterUnderTest } from './support/backends.js';
import {
  redisServer,
  startRedis,
  startWorkerProcess,
  type TestRedis,
  type TestWorker,
} from './support/cluster.js';

const runner = fileURLToPath(new URL('./fixtures/keys-runner.ts', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

interface RunReport {
  readonly plan: readonly (readonly string[])[];
  readonly toRun: readonly string[];
  readonly ran: readonly string[];
  readonly cached: readonly string[];
  readonly stale: Readonly<Record<string, readonly string[]>>;
  readonly result: unknown;
}

const everyNode = ['load', 'noise', 'plain total', 'report', 'square', 'total'];

// BullMQWorkflow too where redis-server is found: its workers are rooted at / since each test's
// pipeline module is in a temporary folder; the runners find the cluster in the environment.
let redis: TestRedis | undefined;
const workers: TestWorker[] = [];
const cluster = (): ClusterUnderTest => ({ url: redis?.url as string, queue: 'keys-reruns', root: '/' });
if (redisServer.runs) {
  beforeAll(async () => {
    redis = await startRedis();
    const { url, queue } = cluster();
    workers.push(...(await Promise.all([1, 2].map(() => startWorkerProcess({ url, queue, root: '/' })))));
    process.env.FUNCTIONFUSE_TEST_CLUSTER = JSON.stringify(cluster());
  }, 60_000);
  afterAll(async () => {
    delete process.env.FUNCTIONFUSE_TEST_CLUSTER;
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await redis?.stop();
  }, 60_000);
}
const backends = backendsUnderTest(redisServer.runs ? { cluster } : {});

describe.each(backends.map((backend) => backend.name))('%s: stored results and cache keys', (backend) => {
  let folder: string;
  let modulePath: string;
  let store: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'functionfuse-keys-'));
    modulePath = join(folder, 'pipeline.mjs');
    store = join(folder, 'store');
    writeFileSync(modulePath, keysPipelineSource());
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  /** One run in a child process; its stderr must be empty (no warning is expected). */
  function run(params: KeysParams = {}, trust: 'key' | 'name' = 'key'): Promise<RunReport> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', runner, backend, modulePath, store, trust], {
        cwd: repositoryRoot,
        env: { ...process.env, FUNCTIONFUSE_KEYS_PARAMS: JSON.stringify(params) },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 50_000,
        killSignal: 'SIGKILL',
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0 || stderr !== '') reject(new Error(`runner exited with ${code}: ${stderr}`));
        else resolve(JSON.parse(stdout) as RunReport);
      });
    });
  }

  /** What a second run did, with the plan it made first (which must name what then ran). */
  function outcome(report: RunReport) {
    expect(report.toRun).toEqual(report.ran);
    return { ran: report.ran, stale: report.stale, plan: report.plan };
  }

  it('runs nothing again when nothing changed', async () => {
    const first = await run();
    expect(first.ran).toEqual(everyNode);
    expect(first.result).toEqual([{ sum: 28, draw: expect.any(Number) }, 6]);
    const second = await run();
    expect(outcome(second).ran).toEqual([]);
    expect(second.cached).toEqual(everyNode);
    expect(second.result).toEqual(first.result);
  });

  it('reruns exactly an edited task and its descendants', async () => {
    await run();
    writeFileSync(modulePath, keysPipelineSource('return values.map((value) => value * value * 10);'));
    const edited = await run();
    expect(outcome(edited)).toEqual({
      ran: ['report', 'square', 'total'],
      stale: { square: ['code-changed'], total: ['input-changed'], report: ['input-changed'] },
      plan: [
        ['load', 'cached'],
        ['noise', 'cached'],
        ['square', 'stale', 'code-changed'],
        ['plain total', 'cached'],
        ['total', 'stale', 'input-changed'],
        ['report', 'stale', 'input-changed'],
      ],
    });
    expect((edited.result as [{ sum: number }])[0].sum).toBe(280);
    expect(outcome(await run()).ran).toEqual([]);
  });

  it('reruns exactly the node whose literal argument changed and its descendants', async () => {
    await run();
    const changed = await run({ options: { scale: 3, label: 'x' } });
    expect(outcome(changed)).toMatchObject({
      ran: ['report', 'total'],
      stale: { total: ['arguments-changed'], report: ['input-changed'] },
    });
    expect((changed.result as [{ sum: number }])[0].sum).toBe(42);
  });

  it('reruns the children of a changed parent, and only them', async () => {
    await run();
    const changed = await run({ n: 5 });
    expect(outcome(changed)).toMatchObject({
      ran: ['load', 'plain total', 'report', 'square', 'total'],
      stale: {
        load: ['arguments-changed'],
        square: ['input-changed'],
        'plain total': ['input-changed'],
        total: ['input-changed'],
        report: ['input-changed'],
      },
    });
    expect(changed.result).toEqual([{ sum: 60, draw: expect.any(Number) }, 10]);
  });

  it('reruns a seeded node when its seed changes, with its descendants', async () => {
    const first = await run({ seed: 1 });
    const reseeded = await run({ seed: 2 });
    expect(outcome(reseeded)).toMatchObject({
      ran: ['noise', 'report'],
      stale: { noise: ['seed-changed'], report: ['input-changed'] },
    });
    const [firstReport] = first.result as [{ draw: number }];
    const [reseededReport] = reseeded.result as [{ draw: number }];
    expect(reseededReport.draw).not.toBe(firstReport.draw);
  });

  it('runs nothing when the keys of an argument object are written in another order', async () => {
    await run({ options: { scale: 2, label: 'x' } });
    expect(outcome(await run({ options: { label: 'x', scale: 2 } })).ran).toEqual([]);
  });

  it('reruns a node whose record was written before keys, and only it', async () => {
    await run();
    // What FileStorage wrote before keys: the same value, no key in the record.
    await new FileStorage(store).save('keys', 'load', Float64Array.from([0, 1, 2, 3]));
    const again = await run();
    expect(outcome(again)).toMatchObject({ ran: ['load'], stale: { load: ['written-before-keys'] } });
    expect(outcome(await run()).ran).toEqual([]);
  });

  it("trusts stored results by name with trust: 'name', whatever changed", async () => {
    const first = await run();
    writeFileSync(modulePath, keysPipelineSource('return values.map((value) => value * value * 10);'));
    const trusted = await run({ n: 5, seed: 7 }, 'name');
    expect(outcome(trusted)).toEqual({
      ran: [],
      stale: {},
      plan: everyNodeInOrder.map((name) => [name, 'cached']),
    });
    expect(trusted.result).toEqual(first.result);
    // The keys were saved all along: trusting by key again sees what changed.
    expect(Object.keys((await run({ n: 5, seed: 7 })).stale).sort()).toEqual(everyNode);
  });
});

const everyNodeInOrder = ['load', 'noise', 'square', 'plain total', 'total', 'report'];
