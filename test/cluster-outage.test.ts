/**
 * A `functionfuse worker` while its Redis is away: one line when it is lost, one when it is
 * back, never a stack per reconnection attempt; and the same rules on the report itself.
 */
import { describe, expect, it } from 'vitest';
import { OutageReport } from '../src/cluster/outage-report.js';
import { redisServer, startRedis, startWorkerProcess, type TestRedis } from './support/cluster.js';

function reportWithLines(up: { value: boolean }) {
  const lines: string[] = [];
  const report = new OutageReport(
    (line) => lines.push(line),
    'functionfuse worker w1',
    'redis://h:1',
    () => up.value,
  );
  return { report, lines };
}

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

describe('OutageReport', () => {
  it('says once that Redis is lost, however many errors follow, and once that it is back', () => {
    const up = { value: false };
    const { report, lines } = reportWithLines(up);
    for (let attempt = 0; attempt < 5; attempt++) report.error(refused);
    up.value = true;
    report.ready();
    report.ready();
    expect(lines).toEqual([
      'functionfuse worker w1: lost Redis at redis://h:1 (connect ECONNREFUSED 127.0.0.1:1); reconnecting. A job ' +
        'it holds is reported once Redis is back; if its lock lapses first, another worker takes it.\n',
      'functionfuse worker w1: Redis at redis://h:1 is back; taking jobs again.\n',
    ]);
  });

  it('says each other error while Redis is there, and takes a connection error as the loss', () => {
    const up = { value: true };
    const { report, lines } = reportWithLines(up);
    report.error(new Error('Queue is paused'));
    report.error(new Error('Connection is closed.'));
    report.error(new Error('Connection is closed.'));
    expect(lines).toEqual([
      'functionfuse worker w1: Queue is paused\n',
      'functionfuse worker w1: lost Redis at redis://h:1 (Connection is closed.); reconnecting. A job it holds ' +
        'is reported once Redis is back; if its lock lapses first, another worker takes it.\n',
    ]);
  });
});

describe('OutageReport on jobs that slipped away', () => {
  it('says once per job what BullMQ means by a lost lock or key, however many of its errors follow', () => {
    const { report, lines } = reportWithLines({ value: true });
    report.error(new Error('could not renew lock for job ffd6-10'));
    report.error(new Error('Missing key for job ffd6-10. moveToFinished'));
    report.error(new Error('Missing key for job ffd6-10. moveToFinished'));
    report.error(new Error('Missing lock for job 8. moveToFinished'));
    report.error(new Error('Lock mismatch for job 9. Cmd moveToFinished from active'));
    report.error(new Error('Job 11 is not in the active state. moveToFinished'));
    const said = (job: string, bullmq: string) =>
      `functionfuse worker w1: job ${job} is no longer this worker's (BullMQ: ${bullmq}): its lock lapsed, or ` +
      'Redis lost it while away, so its outcome is dropped. A job whose lock lapsed goes to another worker ' +
      '(delivery is at least once).\n';
    expect(lines).toEqual([
      said('ffd6-10', 'could not renew lock for job ffd6-10'),
      said('8', 'Missing lock for job 8. moveToFinished'),
      said('9', 'Lock mismatch for job 9. Cmd moveToFinished from active'),
      said('11', 'Job 11 is not in the active state. moveToFinished'),
    ]);
  });
});

async function waitFor(condition: () => boolean, what: string, waitMs = 30_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// A server of FUNCTIONFUSE_REDIS_URL's cannot be stopped and started again by the test.
const ownServer = redisServer.runs && !process.env.FUNCTIONFUSE_REDIS_URL;

describe.runIf(ownServer)('functionfuse worker while Redis is away', () => {
  it('writes one line when Redis is lost and one when it is back, with no stack, and stops when told', async () => {
    const first = await startRedis();
    const port = Number(new URL(first.url).port);
    const worker = await startWorkerProcess({ url: first.url, queue: 'outage' });
    let second: TestRedis | undefined;
    try {
      await first.stop();
      await waitFor(() => worker.stderr().includes('lost Redis'), 'the worker to say Redis is lost');
      // Let it try to reconnect several times (ioredis retries within a second or two).
      await new Promise((resolve) => setTimeout(resolve, 2500));
      second = await startRedis(port);
      await waitFor(
        () => worker.stderr().includes('is back; taking jobs again'),
        'the worker to say Redis is back',
      );
      const [ready, ...rest] = worker.stderr().trimEnd().split('\n');
      expect(ready).toMatch(/Ready; Ctrl-C stops it\.$/);
      const id = /^functionfuse worker (\S+):/.exec(ready as string)?.[1];
      expect(rest, worker.stderr()).toHaveLength(2);
      expect(rest[0]).toMatch(
        new RegExp(
          `^functionfuse worker ${id}: lost Redis at redis://127\\.0\\.0\\.1:${port} \\(.+\\); reconnecting\\. A job it ` +
            'holds is reported once Redis is back; if its lock lapses first, another worker takes it\\.$',
        ),
      );
      expect(rest[1]).toBe(
        `functionfuse worker ${id}: Redis at redis://127.0.0.1:${port} is back; taking jobs again.`,
      );
      // Stopped right after Redis came back, it ends by itself (BullMQ may leave timers behind,
      // taskforcesh/bullmq#4656), not by the SIGKILL stop() sends after its wait.
      await worker.stop();
      expect([worker.process.exitCode, worker.process.signalCode]).toEqual([0, null]);
    } finally {
      await worker.stop();
      await second?.stop();
      await first.stop();
    }
  }, 60_000);

  it('ends on Ctrl-C while Redis is away without waiting out its grace for Redis', async () => {
    const server = await startRedis();
    const worker = await startWorkerProcess({ url: server.url, queue: 'outage-stop' });
    try {
      await server.stop();
      await waitFor(() => worker.stderr().includes('lost Redis'), 'the worker to say Redis is lost');
      const exited = new Promise<number>((resolve) => {
        const sent = Date.now();
        worker.process.once('exit', () => resolve(Date.now() - sent));
      });
      worker.process.kill('SIGINT');
      // Nothing can be reported or deleted without Redis: closing waits for none of it. Its
      // grace for Redis is 3 s, which the worker used to wait out before it ended.
      expect(await exited).toBeLessThan(2500);
      expect([worker.process.exitCode, worker.process.signalCode]).toEqual([0, null]);
    } finally {
      await worker.stop();
      await server.stop();
    }
  }, 60_000);
});
