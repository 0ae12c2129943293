/**
 * Failure policy, retries, timeouts, cancellation and error fidelity, on every backend.
 */
import { inspect } from 'node:util';
import {
  AbortError,
  NodeExecutionError,
  NodeTimeoutError,
  WorkflowClosedError,
  WorkflowFailedError,
} from 'functionfuse';
import { afterAll, describe, expect, it } from 'vitest';
import {
  failWithCause,
  flaky,
  leaveThrowingTimer,
  leaveUnhandledRejection,
  sleep,
  spin,
  throwBuiltIn,
} from '../fixtures/reliability-tasks.js';
import { fail, record, sum } from '../fixtures/tasks.js';
import { type BackendUnderTest, counterFile, ExecutionLog } from './backends.js';
import { captureWarnings } from './warnings.js';

export function describeReliability(backend: BackendUnderTest): void {
  describe(`${backend.name}: reliability`, () => {
    afterAll(() => backend.close());

    it('by default stops at the first failure and rejects with that node named', async () => {
      const log = new ExecutionLog();
      try {
        const broken = fail('first').setName('broken');
        const downstream = record(log.path, 'downstream', sum(broken, 1));
        const error = await backend
          .create(downstream, 'fail-fast')
          .run()
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(NodeExecutionError);
        expect(error).toMatchObject({
          nodeName: 'broken',
          message: 'Node "broken" failed: FixtureError: first',
        });
        expect(log.entries()).toEqual([]);
      } finally {
        log.remove();
      }
    });

    it('with failFast: false runs every independent branch and lists failed and skipped nodes', async () => {
      const log = new ExecutionLog();
      try {
        const broken = fail('boom').setName('broken');
        const child = sum(broken, 1).setName('child');
        const grandchild = record(log.path, 'grandchild', child).setName('grandchild');
        const other = fail('again').setName('other failure');
        const healthy = record(log.path, 'healthy', sum(1, 2)).setName('healthy');
        const healthyChild = record(log.path, 'healthy child', healthy).setName('healthy child');
        const error = await backend
          .create([grandchild, healthyChild, other], 'keep-going')
          .run({ failFast: false })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(WorkflowFailedError);
        const { failed, skipped, errors, message } = error as WorkflowFailedError;
        expect(failed).toEqual(['broken', 'other failure']);
        expect(skipped).toEqual(['child', 'grandchild']);
        expect(errors.map((each) => each.message)).toEqual([
          'Node "broken" failed: FixtureError: boom',
          'Node "other failure" failed: FixtureError: again',
        ]);
        expect(message).toBe('Workflow "keep-going": 2 nodes failed ("broken", "other failure"), 2 skipped');
        expect(log.entries().sort()).toEqual(['healthy', 'healthy child']);
      } finally {
        log.remove();
      }
    });

    it('retries a failing node up to `retries` times', async () => {
      const counter = counterFile();
      try {
        const node = flaky(counter.path, 2, 7).setName('flaky');
        const wf = backend.create(node, 'retries');
        wf.query('flaky').setOptions({ retries: 2, retryDelay: 5 });
        expect(await wf.run()).toBe(7);
      } finally {
        counter.remove();
      }
    });

    it('says how many attempts were made when retries run out', async () => {
      const counter = counterFile();
      try {
        const node = flaky(counter.path, 5, 7).setName('hopeless');
        const wf = backend.create(node, 'retries-exhausted');
        wf.query('hopeless').setOptions({ retries: 1 });
        await expect(wf.run()).rejects.toMatchObject({
          name: 'NodeExecutionError',
          attempts: 2,
          message: 'Node "hopeless" failed after 2 attempts: Error: attempt 2 fails',
        });
      } finally {
        counter.remove();
      }
    });

    it('stops a node that runs past its timeout and names it', async () => {
      const log = new ExecutionLog();
      try {
        const slow = sleep(30_000, log.path, 'slow').setName('slow');
        const wf = backend.create(slow, 'timeout');
        wf.query('slow').setOptions({ timeout: 100 });
        const error = await wf.run().catch((caught: unknown) => caught);
        expect(error).toMatchObject({ name: 'NodeExecutionError', nodeName: 'slow' });
        expect((error as Error).cause).toBeInstanceOf(NodeTimeoutError);
        expect((error as Error).message).toBe(
          backend.stopsSynchronousCode
            ? 'Node "slow" failed: NodeTimeoutError: Node "slow" timed out after 100 ms and was stopped'
            : 'Node "slow" failed: NodeTimeoutError: Node "slow" timed out after 100 ms and was abandoned: it ran ' +
                'in the main thread (LocalWorkflow), where nothing can stop it, so what it started goes on and its ' +
                'result is not used; run it on ThreadWorkflow to have it stopped at its timeout.',
        );
      } finally {
        log.remove();
      }
    });

    it.runIf(backend.runsNodesInWorkers)(
      'fails no node when code a finished node left behind throws: what its thread ran goes again',
      async () => {
        const log = new ExecutionLog();
        const captured = captureWarnings();
        try {
          // Each timer fires 400 ms after its node returned: while the thread runs a later node, or idles.
          const timer = leaveThrowingTimer(400).setName('timer');
          const rejection = leaveUnhandledRejection(400).setName('rejection');
          const afterTimer = sleep(1_500, log.path, timer).setName('after timer');
          const afterRejection = sleep(1_500, log.path, rejection).setName('after rejection');
          const wf = backend.create([afterTimer, afterRejection, timer, rejection], 'left-behind');
          expect(await wf.run()).toEqual([1_500, 1_500, 'left a timer', 'left a rejection']);
          expect(log.entries()).toContain('left a timer finished');
          expect(log.entries()).toContain('left a rejection finished');
          // On threads the main thread names each culprit; a cluster worker that was idle says so itself.
          for (const warning of captured.warnings) {
            expect(warning.code).toBe('FUNCTIONFUSE_LEFT_BEHIND_ERROR');
            expect(warning.message).toMatch(
              /^Node "(timer|rejection)" left behind code that threw after the node had returned \(a timer, event listener or promise it started, which nothing caught\): Error: (thrown|rejected) after its node returned\. It ended its worker thread (between nodes|while it ran node "after (timer|rejection)", which goes again); the thread was replaced\./,
            );
          }
        } finally {
          captured.restore();
          log.remove();
        }
      },
    );

    it('cancels a run through its signal: nothing new starts and run() rejects with an AbortError', async () => {
      const log = new ExecutionLog();
      try {
        const first = sleep(30_000, log.path, 'first').setName('first');
        const after = record(log.path, 'after', first).setName('after');
        const controller = new AbortController();
        const wf = backend.create(after, 'cancel');
        const running = wf.run({ signal: controller.signal });
        setTimeout(() => controller.abort(new Error('user pressed stop')), 200);
        const error = await running.catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(AbortError);
        expect(error).toMatchObject({
          name: 'AbortError',
          message: 'Workflow "cancel" was cancelled',
          cause: { message: 'user pressed stop' },
        });
        expect(log.entries()).not.toContain('after');
        expect(log.entries()).not.toContain('first finished');
      } finally {
        log.remove();
      }
    });

    it('close() stops a run under way, which rejects with WorkflowClosedError; the workflow runs again', async () => {
      const log = new ExecutionLog();
      try {
        const first = sleep(300, log.path, 'first').setName('first');
        const after = record(log.path, 'after', first).setName('after');
        const wf = backend.create(after, 'closing');
        const started = new Promise<void>((resolve) => {
          wf.on('node-started', (event) => {
            if (event.node === 'first') resolve();
          });
        });
        const running = wf.run().catch((caught: unknown) => caught);
        await started;
        await wf.close();
        const error = (await running) as Error;
        expect(error).toBeInstanceOf(WorkflowClosedError);
        expect(error.message).toMatch(
          /^Workflow "closing" was closed while running: close\(\) stopped its nodes/,
        );
        expect(error.cause).toBeInstanceOf(AbortError);
        expect(log.entries()).not.toContain('after');

        expect(await wf.run()).toBe(300);
        expect(log.entries()).toContain('after');
        await wf[Symbol.asyncDispose]();
      } finally {
        log.remove();
      }
    });

    it('sees an abort from a timer while synchronous nodes run: run() rejects before all of them start', async () => {
      // Enough nodes that LocalWorkflow takes 2 s to start them all.
      const nodes = Array.from({ length: 20 }, (_, index) => spin(100).setName(`spin${index}`));
      const wf = backend.create(nodes, 'timer-abort');
      const started: string[] = [];
      wf.on('node-started', (event) => started.push(event.node));
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error('timer')), 150);
      try {
        await expect(wf.run({ signal: controller.signal })).rejects.toThrow(AbortError);
      } finally {
        clearTimeout(timer);
      }
      // In the main thread nothing but the loop's turns lets the timer fire. (A BullMQ worker
      // reports a batch's nodes as started together, so counts there say nothing of the abort.)
      if (!backend.stopsSynchronousCode) expect(started.length).toBeLessThan(20);
    });

    it('rejects at once when the signal has already fired, running nothing', async () => {
      const log = new ExecutionLog();
      try {
        const wf = backend.create(record(log.path, 'never', 1), 'pre-aborted');
        await expect(wf.run({ signal: AbortSignal.abort() })).rejects.toThrow(AbortError);
        expect(log.entries()).toEqual([]);
      } finally {
        log.remove();
      }
    });

    it('keeps class name, message, code, errno and the cause chain of an error', async () => {
      const node = failWithCause().setName('connect');
      const error = (await backend
        .create(node, 'causes')
        .run()
        .catch((caught: unknown) => caught)) as NodeExecutionError;
      expect(error.cause).toMatchObject({
        name: 'DatabaseError',
        message: 'could not connect',
        code: 'E_DB',
        errno: 42,
        cause: { name: 'RangeError', message: 'port out of range' },
      });
      expect((error.cause as Error).stack).toContain('failWithCause');
      // The user's class stays in its thread; what every thread has is rebuilt.
      expect(error.cause).toBeInstanceOf(Error);
      expect((error.cause as Error).cause).toBeInstanceOf(RangeError);
    });

    it('keeps the class of a built-in error and of a subclass of one, as far as every thread has it', async () => {
      const wf = backend.create([throwBuiltIn('type'), throwBuiltIn('parse')], 'built-in-errors');
      const error = (await wf
        .run({ failFast: false })
        .catch((caught: unknown) => caught)) as WorkflowFailedError;
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const [typeError, parseError] = error.errors.map((failure) => failure.cause as Error);
      expect(typeError).toBeInstanceOf(TypeError);
      expect(typeError).toMatchObject({ name: 'TypeError', message: 'expected a number' });
      expect(parseError).toBeInstanceOf(RangeError);
      expect(parseError).toMatchObject({ name: 'ParseError', message: 'line 3 is out of range', line: 3 });
      expect(inspect(parseError)).toContain('line 3 is out of range');
    });

    it('refuses bad run options, naming the option and the value', async () => {
      const wf = backend.create(sum(1, 1), 'bad-options');
      await expect(wf.run({ failFast: 'no' } as never)).rejects.toThrow(
        new TypeError('Expected `failFast` to be a boolean, got "no" (string)'),
      );
      await expect(wf.run({ signal: {} } as never)).rejects.toThrow(
        new TypeError('Expected `signal` to be an AbortSignal, got an object'),
      );
      expect(() => wf.query().setOptions({ retries: -1 })).toThrow(
        new TypeError('Expected `retries` to be an integer from 0 to 10000, got -1 (number)'),
      );
      expect(() => wf.query().setOptions({ timeout: 0 })).toThrow(
        new TypeError(
          "Expected `timeout` to be a number of milliseconds above 0, at most 2147483647 (2^31 − 1, the longest delay Node's timers can wait), got 0 (number)",
        ),
      );
      expect(() => wf.query().setOptions({ retryDelay: Number.POSITIVE_INFINITY })).toThrow(
        new TypeError(
          "Expected `retryDelay` to be a number of milliseconds from 0 to 2147483647 (2^31 − 1, the longest delay Node's timers can wait), got Infinity (number)",
        ),
      );
    });
  });
}
