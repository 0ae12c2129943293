import { AbortError, ThreadWorkflow, WorkflowClosedError } from 'functionfuse';
import { describe, expect, it } from 'vitest';
import { spin } from './fixtures/reliability-tasks.js';
import { echo } from './fixtures/thread-tasks.js';
import { closeAfterEach } from './support/backends.js';

const threads = closeAfterEach();

const closedMessage =
  'Workflow "closing" was closed while running: close() stopped its nodes and ended its worker threads ' +
  'before run() settled. Await run() before calling close().';

describe('close() during run()', () => {
  it('rejects the run with WorkflowClosedError once its nodes are running, and can run again', async () => {
    const workflow = threads(
      new ThreadWorkflow([spin(60_000).setName('long'), echo(1)], { workflowName: 'closing', threads: 2 }),
    );
    const started = new Promise<void>((resolve) => {
      workflow.on('node-started', (event) => {
        if (event.node === 'long') resolve();
      });
    });
    const running = workflow.run().catch((error: unknown) => error);
    await started;
    await workflow.close();
    const error = (await running) as Error;
    expect(error).toBeInstanceOf(WorkflowClosedError);
    expect(error.message).toBe(closedMessage);
    expect(error.cause).toBeInstanceOf(AbortError);

    const again = threads(new ThreadWorkflow(echo('again'), { workflowName: 'closing', threads: 1 }));
    expect(await again.run()).toBe('again');
  });

  it('rejects a run closed before its first node started', async () => {
    const workflow = threads(new ThreadWorkflow(echo(1), { workflowName: 'closing', threads: 1 }));
    const running = workflow.run().catch((error: unknown) => error);
    await workflow.close();
    const error = (await running) as Error;
    expect(error).toBeInstanceOf(WorkflowClosedError);
    expect(error.message).toBe(closedMessage);
    // The workflow itself still works: a later run starts a new pool.
    expect(await workflow.run()).toBe(1);
  });
});
