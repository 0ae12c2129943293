import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AbortError, ThreadWorkflow, WorkerDiedError, WorkflowFailedError } from 'functionfuse';
import { describe, expect, it } from 'vitest';
import {
  exhaustHeap,
  exitWorker,
  leaveThrowingTimer,
  leaveUnhandledRejection,
  sleep,
  spin,
  throwInTimer,
} from './fixtures/reliability-tasks.js';
import { record, sum } from './fixtures/tasks.js';
import { ExecutionLog, withWorkflow } from './support/backends.js';
import { captureWarnings } from './support/warnings.js';

describe('ThreadWorkflow when workers die', () => {
  it('fails only the node whose worker called process.exit(), and says so', async () => {
    const log = new ExecutionLog();
    try {
      const dead = exitWorker(7).setName('exits');
      const healthy = Array.from({ length: 6 }, (_, index) => record(log.path, `healthy ${index}`, index));
      const wf = new ThreadWorkflow([dead, ...healthy], { workflowName: 'exit', threads: 2 });
      const error = await withWorkflow(wf, (workflow) =>
        workflow.run({ failFast: false }).catch((caught: unknown) => caught),
      );
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expect((error as WorkflowFailedError).failed).toEqual(['exits']);
      const cause = (error as WorkflowFailedError).errors[0]?.cause;
      expect(cause).toBeInstanceOf(WorkerDiedError);
      expect((cause as Error).message).toBe(
        'The worker thread running node "exits" exited with code 7 (process.exit() in the task?)',
      );
      expect(log.entries().sort()).toEqual(healthy.map((_, index) => `healthy ${index}`));
    } finally {
      log.remove();
    }
  });

  it('reports an uncaught exception thrown by a timer in the task', async () => {
    const node = throwInTimer().setName('timer bomb');
    const error = await withWorkflow(new ThreadWorkflow(node, { workflowName: 'timer', threads: 1 }), (wf) =>
      wf.run().catch((caught: unknown) => caught),
    );
    expect((error as Error).cause).toBeInstanceOf(WorkerDiedError);
    expect(((error as Error).cause as Error).message).toBe(
      'The worker thread running node "timer bomb" crashed on an uncaught exception: thrown by a timer',
    );
  });

  it('blames the node whose timer threw after it returned, not the node its thread ran next, which goes again', async () => {
    const log = new ExecutionLog();
    const captured = captureWarnings();
    try {
      const culprit = leaveThrowingTimer(300).setName('culprit');
      const innocent = sleep(1_500, log.path, culprit).setName('innocent');
      const wf = new ThreadWorkflow(innocent, { workflowName: 'left-timer', threads: 1 });
      expect(await withWorkflow(wf, (workflow) => workflow.run())).toBe(1_500);
      expect(log.entries()).toEqual([
        'left a timer started',
        'left a timer started',
        'left a timer finished',
      ]);
      expect(captured.warnings).toEqual([
        {
          type: 'FunctionFuseWarning',
          code: 'FUNCTIONFUSE_LEFT_BEHIND_ERROR',
          message:
            'Node "culprit" left behind code that threw after the node had returned (a timer, event listener or ' +
            'promise it started, which nothing caught): Error: thrown after its node returned. It ended its worker ' +
            'thread while it ran node "innocent", which goes again; the thread was replaced. Catch errors in what a ' +
            'task starts, or await it before returning.',
        },
      ]);
    } finally {
      captured.restore();
      log.remove();
    }
  });

  it('names the node whose rejected promise nobody handled, which ends its thread as the next node runs', async () => {
    const log = new ExecutionLog();
    const captured = captureWarnings();
    try {
      // An idle worker waits without turning its event loop: the rejection surfaces once the
      // thread's next node arrives.
      const careless = leaveUnhandledRejection().setName('careless');
      const next = sleep(500, log.path, careless).setName('next');
      const wf = new ThreadWorkflow(next, { workflowName: 'left-rejection', threads: 1 });
      expect(await withWorkflow(wf, (workflow) => workflow.run())).toBe(500);
      expect(log.entries()).toEqual([
        'left a rejection started',
        'left a rejection started',
        'left a rejection finished',
      ]);
      expect(captured.warnings.map((warning) => warning.message)).toEqual([
        'Node "careless" left behind code that threw after the node had returned (a timer, event listener or ' +
          'promise it started, which nothing caught): Error: rejected after its node returned. It ended its worker ' +
          'thread while it ran node "next", which goes again; the thread was replaced. Catch errors in what a ' +
          'task starts, or await it before returning.',
      ]);
    } finally {
      captured.restore();
      log.remove();
    }
  });

  it('reports a worker that ran out of its heap limit', async () => {
    const node = exhaustHeap().setName('hoarder');
    const wf = new ThreadWorkflow(node, {
      workflowName: 'oom',
      threads: 1,
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
    });
    const error = await withWorkflow(wf, (workflow) => workflow.run().catch((caught: unknown) => caught));
    expect((error as Error).cause).toBeInstanceOf(WorkerDiedError);
    expect(((error as Error).cause as Error).message).toMatch(
      /^The worker thread running node "hoarder" ran out of memory \(its resourceLimits\)/,
    );
  });

  it('stops a spinning node at its timeout by terminating its worker; the pool goes on', async () => {
    const spinning = spin(60_000).setName('spinning');
    const wf = new ThreadWorkflow([spinning, sum(1, 2)], { workflowName: 'replace', threads: 1 });
    wf.query('spinning').setOptions({ timeout: 200 });
    await withWorkflow(wf, async (workflow) => {
      await expect(workflow.run()).rejects.toThrow('Node "spinning" failed: NodeTimeoutError');
      const again = new ThreadWorkflow(sum(2, 3), { workflowName: 'after', threads: 1 });
      expect(await again.run()).toBe(5);
      await again.close();
    });
  });

  it('cancels a spinning node by terminating its worker', async () => {
    const controller = new AbortController();
    const spinning = spin(60_000).setName('spinning');
    await withWorkflow(
      new ThreadWorkflow(spinning, { workflowName: 'cancel-spin', threads: 1 }),
      async (wf) => {
        const running = wf.run({ signal: controller.signal });
        setTimeout(() => controller.abort(), 200);
        await expect(running).rejects.toThrow(AbortError);
        // The pool is clean: the same workflow runs again (and is cancelled again).
        const second = new AbortController();
        const again = wf.run({ signal: second.signal });
        setTimeout(() => second.abort(), 100);
        await expect(again).rejects.toThrow(AbortError);
      },
    );
  });

  it('leaves no thread running after a crash: the process exits by itself', async () => {
    const script = fileURLToPath(new URL('./fixtures/crash-script.mjs', import.meta.url));
    // The timeout turns "the process never exits" into a failure instead of a hang.
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ name: 'NodeExecutionError', cause: 'WorkerDiedError' });
  });
});
