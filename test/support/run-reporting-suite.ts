/**
 * How a run is reported as it ended, on every backend: cancelled nodes are cancelled (not
 * skipped), retries are counted and carry their errors, every count adds up to the node count,
 * and a synchronous node past its timeout fails as a timeout.
 */
import {
  NodeTimeoutError,
  RunRecorder,
  type TraceEvent,
  toChromeTrace,
  type WorkflowEventMap,
} from 'functionfuse';
import { afterAll, describe, expect, it } from 'vitest';
import { flaky, sleep, spin } from '../fixtures/reliability-tasks.js';
import { fail, record, sum } from '../fixtures/tasks.js';
import { type BackendUnderTest, counterFile, ExecutionLog } from './backends.js';

type RunFinished = WorkflowEventMap['run-finished'];

export function describeRunReporting(backend: BackendUnderTest): void {
  describe(`${backend.name}: how a run is reported`, () => {
    afterAll(() => backend.close());

    it('starts ready nodes by priority, then canonical order', async () => {
      const nodes = ['p0', 'p1', 'p2', 'p3', 'p4'].map((name, position) => sum(position, 0).setName(name));
      const wf = backend.create(nodes, 'priorities');
      wf.query('p3').setOptions({ priority: 5 });
      wf.query('p1').setOptions({ priority: 2 });
      wf.query('p4').setOptions({ priority: -1 });
      const started: string[] = [];
      wf.on('node-started', (event) => started.push(event.node));
      expect(await wf.run()).toEqual([0, 1, 2, 3, 4]);
      expect(started).toEqual(['p3', 'p1', 'p0', 'p2', 'p4']);
    });

    it('draws each thread that ran nodes on a trace track of its own, on which its nodes never overlap', async () => {
      const nodes = Array.from({ length: 6 }, (_, position) =>
        spin(60 + position).setName(`spin ${position}`),
      );
      const wf = backend.create(nodes, 'tracks');
      const recorder = new RunRecorder(wf);
      expect(await wf.run()).toEqual([60, 61, 62, 63, 64, 65]);
      const { traceEvents } = toChromeTrace(recorder.recording());
      const names = traceEvents
        .filter((event) => event.name === 'thread_name')
        .map((event) => event.args?.['name']);
      expect(new Set(names).size).toBe(names.length);
      const byTrack = new Map<number, TraceEvent[]>();
      for (const event of traceEvents) {
        if (event.ph !== 'X' || event.cat !== 'ran') continue;
        byTrack.set(event.tid, [...(byTrack.get(event.tid) ?? []), event]);
      }
      expect([...byTrack.values()].flat()).toHaveLength(6);
      for (const slices of byTrack.values()) {
        const inOrder = slices.sort((a, b) => (a.ts as number) - (b.ts as number));
        // Times are rounded to the nanosecond: one microsecond is far more than rounding.
        for (let next = 1; next < inOrder.length; next++) {
          const before = inOrder[next - 1] as TraceEvent;
          expect(inOrder[next]?.ts).toBeGreaterThanOrEqual(
            (before.ts as number) + (before.dur as number) - 1,
          );
        }
      }
    });

    it('says which thread a node that threw ran on, and the trace draws it there', async () => {
      const wf = backend.create([fail('boom').setName('broken'), sum(1, 2).setName('fine')], 'failed-thread');
      const failures: WorkflowEventMap['node-failed'][] = [];
      wf.on('node-failed', (event) => failures.push(event));
      const recorder = new RunRecorder(wf);
      await expect(wf.run()).rejects.toThrow('Node "broken" failed: FixtureError: boom');
      expect(failures).toHaveLength(1);
      const { threadId, worker } = failures[0] as WorkflowEventMap['node-failed'];
      expect(threadId).toBeTypeOf('number');
      expect(threadId !== 0).toBe(backend.runsNodesInWorkers);
      const record = recorder.recording().nodes.find((node) => node.name === 'broken');
      expect(record).toMatchObject({ outcome: 'failed', threadId, worker });
      const tracks = toChromeTrace(recorder.recording())
        .traceEvents.filter((event) => event.name === 'thread_name')
        .map((event) => event.args?.['name']);
      expect(tracks).not.toContain('failed (thread not reported)');
    });

    it('marks the nodes a cancellation stopped as cancelled, and the counts add up', async () => {
      const log = new ExecutionLog();
      try {
        const done = sum(1, 1).setName('done');
        const slow = sleep(30_000, log.path, 'slow').setName('slow');
        const after = record(log.path, 'after', slow).setName('after');
        const wf = backend.create([done, after], 'cancel-report');
        const seen: string[] = [];
        let finished: RunFinished | undefined;
        wf.on('node-cancelled', (event) => seen.push(`cancelled ${event.node}`));
        wf.on('node-skipped', (event) => seen.push(`skipped ${event.node}`));
        wf.on('run-finished', (event) => {
          finished = event;
        });
        // Cancelled once `done` has finished and `slow` runs: which nodes were stopped is then known.
        const waitingFor = new Set(['done finished', 'slow started']);
        const check = (what: string) => {
          waitingFor.delete(what);
          if (waitingFor.size === 0) setTimeout(() => controller.abort(new Error('stop')), 20);
        };
        wf.on('node-started', (event) => check(`${event.node} started`));
        wf.on('node-finished', (event) => check(`${event.node} finished`));
        const recorder = new RunRecorder(wf);
        const controller = new AbortController();
        await expect(wf.run({ signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
        expect(seen.sort()).toEqual(['cancelled after', 'cancelled slow']);
        expect(finished).toMatchObject({
          ok: false,
          status: 'cancelled',
          completed: 1,
          cached: 0,
          failed: 0,
          skipped: 0,
          cancelled: 2,
          retries: 0,
        });
        const outcomes = recorder.recording().nodes.map((node) => `${node.name} ${node.outcome}`);
        expect(outcomes.sort()).toEqual(['after cancelled', 'done ran', 'slow cancelled']);
        expect(recorder.recording().status).toBe('cancelled');
      } finally {
        log.remove();
      }
    });

    it('reports nodes a failFast stop never reached as skipped, so the counts add up', async () => {
      const log = new ExecutionLog();
      try {
        const broken = fail('boom').setName('broken');
        const slow = sleep(300, log.path, 'slow').setName('slow');
        const later = record(log.path, 'later', slow).setName('later');
        const wf = backend.create([broken, later], 'fail-fast-report');
        let finished: RunFinished | undefined;
        wf.on('run-finished', (event) => {
          finished = event;
        });
        await expect(wf.run()).rejects.toMatchObject({ nodeName: 'broken' });
        const total = (finished?.completed ?? 0) + (finished?.failed ?? 0) + (finished?.skipped ?? 0);
        expect(finished).toMatchObject({ status: 'failed', failed: 1, cancelled: 0 });
        expect(total).toBe(3);
      } finally {
        log.remove();
      }
    });

    it('reports every retry with its attempt, error and delay, and counts them', async () => {
      const counter = counterFile();
      try {
        const node = flaky(counter.path, 2, 7).setName('flaky');
        const wf = backend.create(node, 'retry-report');
        wf.query('flaky').setOptions({ retries: 3, retryDelay: 5 });
        const retried: string[] = [];
        let finished: RunFinished | undefined;
        wf.on('node-retried', (event) => {
          retried.push(
            `${event.node} attempt ${event.attempt} after ${String(event.error)} in ${event.delayMs} ms`,
          );
        });
        wf.on('run-finished', (event) => {
          finished = event;
        });
        const recorder = new RunRecorder(wf);
        expect(await wf.run()).toBe(7);
        expect(retried).toEqual([
          'flaky attempt 2 after Error: attempt 1 fails in 5 ms',
          'flaky attempt 3 after Error: attempt 2 fails in 5 ms',
        ]);
        expect(finished).toMatchObject({ status: 'completed', completed: 1, retries: 2 });
        expect(recorder.recording().nodes[0]).toMatchObject({
          outcome: 'ran',
          attempts: 3,
          retryErrors: ['Error: attempt 1 fails', 'Error: attempt 2 fails'],
        });
      } finally {
        counter.remove();
      }
    });

    // In the main thread the same node runs to its end and fails then, with a warning on stderr
    // as it overruns: test/local-sync-timeout.test.ts runs it in a process of its own.
    it.skipIf(!backend.stopsSynchronousCode)(
      'stops a synchronous node that runs past its timeout, with a NodeTimeoutError',
      async () => {
        const node = spin(30_000).setName('spinner');
        const wf = backend.create(node, 'sync-timeout');
        wf.query('spinner').setOptions({ timeout: 50 });
        const error = (await wf.run().catch((caught: unknown) => caught)) as Error;
        expect(error).toMatchObject({ name: 'NodeExecutionError', nodeName: 'spinner' });
        expect(error.cause).toBeInstanceOf(NodeTimeoutError);
        expect((error.cause as Error).message).toBe('Node "spinner" timed out after 50 ms and was stopped');
      },
    );
  });
}
