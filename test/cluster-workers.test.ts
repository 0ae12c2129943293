/**
 * BullMQWorkflow with real processes: two workers share the work, a worker killed with SIGKILL
 * loses nothing, a worker with other code refuses it, Redis gone is an error naming it, a
 * killed coordinator resumes from storage, and no key of a run outlives it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AbortError,
  BullMQWorkflow,
  benchWorkflow,
  FileStorage,
  NodeExecutionError,
  RedisConnectionError,
  WorkerCodeMismatchError,
  WorkerDiedError,
} from 'functionfuse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFunctionfuse } from './fixtures/cli-process.js';
import { add, ramp, slowSquare, sumArray, Tally } from './fixtures/cluster-tasks.js';
import { fail, sum } from './fixtures/tasks.js';
import { ExecutionLog } from './support/backends.js';
import {
  redisServer,
  repositoryRoot,
  scanKeys,
  startRedis,
  startWorkerProcess,
  type TestRedis,
  type TestWorker,
} from './support/cluster.js';

const queue = 'cluster-workers';
let redis: TestRedis;
let workers: TestWorker[] = [];

/** Lines of the log that say `kind label pid`. */
function lines(log: ExecutionLog, kind: 'start' | 'end'): { label: string; pid: number }[] {
  return log
    .entries()
    .map((line) => line.split(' '))
    .filter(([first]) => first === kind)
    .map(([, label, pid]) => ({ label: label as string, pid: Number(pid) }));
}

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  waitMs = 30_000,
): Promise<void> {
  const until = Date.now() + waitMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Keys of runs, and BullMQ jobs of runs, still in Redis (workers' own keys and the queue's are not). */
async function runKeysLeft(url: string): Promise<string[]> {
  const runKeys = await scanKeys(url, 'functionfuse:{*');
  const jobKeys = await scanKeys(url, `bull:${queue}:ff*`);
  return [...runKeys, ...jobKeys];
}

describe.runIf(redisServer.runs)('BullMQWorkflow on worker processes', () => {
  beforeAll(async () => {
    redis = await startRedis();
    workers = await Promise.all([1, 2].map(() => startWorkerProcess({ url: redis.url, queue })));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await redis?.stop();
  }, 60_000);

  function squares(log: ExecutionLog, count: number, ms: number) {
    const nodes = Array.from({ length: count }, (_, index) =>
      slowSquare(log.path, `n${index}`, index, ms).setName(`square ${index}`),
    );
    return add(nodes).setName('total');
  }
  const expectedTotal = (count: number) =>
    Array.from({ length: count }, (_, index) => index * index).reduce((a, b) => a + b, 0);

  it('shares the nodes between both worker processes, with the exact result', async () => {
    const log = new ExecutionLog();
    await using workflow = new BullMQWorkflow(squares(log, 8, 150), {
      workflowName: 'shared',
      connection: redis.url,
      queueName: queue,
    });
    try {
      expect(await workflow.run()).toBe(expectedTotal(8));
      const pids = new Set(lines(log, 'end').map(({ pid }) => pid));
      expect([...pids].sort()).toEqual(workers.map(({ pid }) => pid).sort());
    } finally {
      log.remove();
    }
  }, 60_000);

  it('loses nothing when a worker is killed with SIGKILL mid-job: another takes the job once its lock lapses', async () => {
    const log = new ExecutionLog();
    const victim = workers[0] as TestWorker;
    await using workflow = new BullMQWorkflow(squares(log, 6, 400), {
      workflowName: 'killed',
      connection: redis.url,
      queueName: queue,
    });
    try {
      const running = workflow.run();
      await waitFor(() => {
        const started = lines(log, 'start').filter(({ pid }) => pid === victim.pid);
        const ended = new Set(lines(log, 'end').map(({ label }) => label));
        return started.some(({ label }) => !ended.has(label));
      }, 'a node to start on the first worker');
      const interrupted = lines(log, 'start')
        .filter(({ pid }) => pid === victim.pid)
        .map(({ label }) => label);
      await victim.kill();
      expect(await running).toBe(expectedTotal(6));
      // The node it was running ran again, elsewhere.
      const last = interrupted[interrupted.length - 1] as string;
      const survivor = (workers[1] as TestWorker).pid;
      expect(lines(log, 'end').some(({ label, pid }) => label === last && pid === survivor)).toBe(true);
    } finally {
      log.remove();
      workers[0] = await startWorkerProcess({ url: redis.url, queue });
    }
  }, 90_000);

  it('fails an actor call with WorkerDiedError when the worker holding the actor is killed', async () => {
    const log = new ExecutionLog();
    const tally = Tally().setName('tally');
    const first = tally.slowAdd(log.path, 1, 50).setName('first');
    const second = tally.slowAdd(log.path, first, 20_000).setName('second');
    await using workflow = new BullMQWorkflow(second, {
      workflowName: 'actor-killed',
      connection: redis.url,
      queueName: queue,
    });
    try {
      const running = workflow.run().catch((thrown: unknown) => thrown);
      await waitFor(() => lines(log, 'start').length === 2, 'the second call to start');
      const holder = (lines(log, 'start')[1] as { pid: number }).pid;
      const position = workers.findIndex(({ pid }) => pid === holder);
      await (workers[position] as TestWorker).kill();
      workers[position] = await startWorkerProcess({ url: redis.url, queue });
      const error = await running;
      expect(error).toBeInstanceOf(NodeExecutionError);
      expect((error as NodeExecutionError).message).toMatch(/^Node "second" failed: WorkerDiedError: /);
      const cause = (error as NodeExecutionError).cause as Error;
      expect(cause).toBeInstanceOf(WorkerDiedError);
      expect(cause.message).toMatch(
        /which held the actor of node "second", stopped: the call was lost with the actor\.$/,
      );
    } finally {
      log.remove();
    }
  }, 90_000);

  it('is measured by benchWorkflow beside LocalWorkflow, with the same results', async () => {
    const log = new ExecutionLog();
    try {
      const report = await benchWorkflow(
        { leaves: squares(log, 4, 1), workflowName: 'bench-cluster' },
        { backends: ['local', 'bullmq'], connection: redis.url, queueName: queue, iterations: 2, timeMs: 1 },
      );
      expect(report.rows.map((row) => row.label)).toEqual(['local', 'bullmq']);
      for (const row of report.rows) expect(row.latency.samplesCount).toBeGreaterThanOrEqual(2);
    } finally {
      log.remove();
    }
  }, 60_000);

  it('runs a pipeline module from the command line with --backend bullmq, printing what --backend local prints', async () => {
    const pipeline = 'test/fixtures/cli-pipeline.ts';
    const local = await runFunctionfuse(['run', pipeline, '--backend', 'local', '--no-progress']);
    const cluster = await runFunctionfuse([
      'run',
      pipeline,
      ...['--backend', 'bullmq', '--connection', redis.url, '--queue', queue, '--no-progress'],
    ]);
    expect(local.code).toBe(0);
    expect(cluster.code).toBe(0);
    expect(cluster.stdout).toBe(local.stdout);
  }, 60_000);

  it('leaves no key of a run in Redis after it succeeds, fails or is cancelled', async () => {
    const log = new ExecutionLog();
    try {
      await using ok = new BullMQWorkflow(squares(log, 4, 1), {
        workflowName: 'clean-ok',
        connection: redis.url,
        queueName: queue,
      });
      expect(await ok.run()).toBe(expectedTotal(4));
      expect(await runKeysLeft(redis.url)).toEqual([]);

      await using failing = new BullMQWorkflow(sum(fail('boom'), 1), {
        workflowName: 'clean-failed',
        connection: redis.url,
        queueName: queue,
      });
      await expect(failing.run()).rejects.toThrow(NodeExecutionError);
      expect(await runKeysLeft(redis.url)).toEqual([]);

      await using cancelled = new BullMQWorkflow(squares(log, 6, 2000), {
        workflowName: 'clean-cancelled',
        connection: redis.url,
        queueName: queue,
      });
      const controller = new AbortController();
      const running = cancelled.run({ signal: controller.signal });
      await waitFor(() => lines(log, 'start').length >= 4 + 1, 'a slow node to start');
      controller.abort(new Error('enough'));
      await expect(running).rejects.toThrow(AbortError);
      expect(await runKeysLeft(redis.url)).toEqual([]);
    } finally {
      log.remove();
    }
  }, 60_000);

  it('carries a large Float64Array between nodes and back bit for bit', async () => {
    const values = ramp(1_000_000, 0.5).setName('ramp');
    await using workflow = new BullMQWorkflow([values, sumArray(values)], {
      workflowName: 'large',
      connection: redis.url,
      queueName: queue,
    });
    const [array, total] = await workflow.run();
    expect(array).toBeInstanceOf(Float64Array);
    const expected = Float64Array.from({ length: 1_000_000 }, (_, index) => 0.5 + index);
    // Compared as bytes: an element-wise toEqual of a million numbers takes seconds.
    expect(Buffer.from((array as Float64Array).buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    expect(total).toBe(1_000_000 * 0.5 + (999_999 * 1_000_000) / 2);
  }, 60_000);

  it('refuses, on a worker whose copy of a module differs, to run its nodes, naming the module', async () => {
    const root = mkdtempSync(join(tmpdir(), 'functionfuse-other-code-'));
    cpSync(
      join(repositoryRoot, 'test', 'fixtures', 'cluster-tasks.ts'),
      join(root, 'test', 'fixtures', 'cluster-tasks.ts'),
    );
    appendFileSync(join(root, 'test', 'fixtures', 'cluster-tasks.ts'), '\n// edited on this machine only\n');
    const other = await startWorkerProcess({ url: redis.url, queue: 'other-code', root });
    try {
      await using workflow = new BullMQWorkflow(add([1, 2]).setName('adds'), {
        workflowName: 'other-code',
        connection: redis.url,
        queueName: 'other-code',
      });
      const error = await workflow.run().catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(NodeExecutionError);
      const cause = (error as NodeExecutionError).cause as Error;
      expect(cause.name).toBe(WorkerCodeMismatchError.name);
      expect(cause.message).toContain(
        'Node "adds" was not run: this worker\'s test/fixtures/cluster-tasks.ts',
      );
      expect(cause.message).toContain('runs other code than the coordinator');
    } finally {
      await other.stop();
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('rejects with a RedisConnectionError naming the URL when Redis cannot be reached', async () => {
    await using workflow = new BullMQWorkflow(sum(1, 2), {
      workflowName: 'no-redis',
      connection: 'redis://127.0.0.1:9',
      connectTimeoutMs: 500,
    });
    const error = await workflow.run().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect((error as Error).message).toMatch(
      // Refused at once: the message gives the reason, not the wait it did not need.
      /^Could not reach Redis at redis:\/\/127\.0\.0\.1:9 \(the `connection` of BullMQWorkflow "no-redis"\): .*ECONNREFUSED.*\. Is redis-server running there\?$/,
    );
  });

  it('rejects within a bounded time, naming the URL, when Redis goes away mid-run', async () => {
    const lost = await startRedis();
    const log = new ExecutionLog();
    const worker = await startWorkerProcess({ url: lost.url, queue: 'lost' });
    try {
      await using workflow = new BullMQWorkflow(squares(log, 4, 3000), {
        workflowName: 'lost-redis',
        connection: lost.url,
        queueName: 'lost',
        redisLostMs: 500,
      });
      const running = workflow.run().catch((thrown: unknown) => thrown);
      await waitFor(() => lines(log, 'start').length > 0, 'a node to start');
      await lost.stop();
      const error = await running;
      expect(error).toBeInstanceOf(RedisConnectionError);
      expect((error as Error).message).toContain(
        `Lost Redis at ${lost.url} for more than 500 ms during a run of workflow "lost-redis"`,
      );
    } finally {
      await worker.stop();
      await lost.stop();
      log.remove();
    }
  }, 60_000);

  it('resumes a run whose coordinator was killed with SIGKILL from what its storage saved', async () => {
    const script = fileURLToPath(new URL('./fixtures/resume-script.ts', import.meta.url));
    const folder = mkdtempSync(join(tmpdir(), 'functionfuse-cluster-resume-'));
    const storagePath = join(folder, 'store');
    const log = new ExecutionLog();
    const start = (delayMs: number): ChildProcess =>
      spawn(
        process.execPath,
        ['--import', 'tsx', script, 'bullmq', storagePath, log.path, String(delayMs), redis.url, queue],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
    try {
      const storage = new FileStorage(storagePath);
      const child = start(300);
      await waitFor(
        async () => (await storage.listTasks('resume').catch(() => [])).length >= 3,
        'three saved steps',
      );
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const savedBefore = await storage.listTasks('resume');
      const ranBefore = log.entries();
      const resumed = start(0);
      let output = '';
      resumed.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      expect(await new Promise((resolve) => resumed.once('exit', resolve))).toBe(0);
      expect(JSON.parse(output)).toEqual({ result: 56 });
      const ranAfter = log.entries().slice(ranBefore.length);
      for (const name of savedBefore) expect(ranAfter).not.toContain(name);
    } finally {
      log.remove();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('functionfuse run --backend bullmq options', () => {
  it.each([
    [
      ['--backend', 'bullmq'],
      '--backend bullmq needs --connection redis://HOST:PORT, the Redis server its workers use.',
    ],
    [
      ['--connection', 'redis://127.0.0.1:6379'],
      '--connection only applies to --backend bullmq: remove it or add --backend bullmq.',
    ],
    [['--queue', 'q'], '--queue only applies to --backend bullmq: remove it or add --backend bullmq.'],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const outcome = await runFunctionfuse(['run', 'test/fixtures/cli-pipeline.ts', ...args]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toBe(`functionfuse: ${message}\n`);
  });
});

describe('BullMQWorkflow options', () => {
  it.each([
    [
      { connection: 'http://127.0.0.1:6379' },
      'Expected `connection` of BullMQWorkflow "o" to be a Redis URL such as redis://127.0.0.1:6379, got `http://127.0.0.1:6379`: its scheme is http: rather than redis: or rediss:.',
    ],
    [
      { connection: 42 },
      'Expected `connection` of BullMQWorkflow "o" to be a Redis URL (redis://127.0.0.1:6379) or ioredis options, got `42` (number).',
    ],
    [
      { connection: 'redis://h', queueName: 'a:b' },
      'Expected `queueName` to be a non-empty name without ":" of at most 200 characters, got "a:b" (string)',
    ],
    [
      { connection: 'redis://h', redisLostMs: 0 },
      'Expected `redisLostMs` to be an integer from 1 to 2147483647, got 0 (number)',
    ],
    [{ connection: 'redis://h', conection: 'x' }, 'conection'],
  ])('refuses %o, naming the option and the value', (options, message) => {
    expect(
      () => new BullMQWorkflow(sum(1, 2), { workflowName: 'o', ...(options as { connection: string }) }),
    ).toThrow(message);
  });
});
