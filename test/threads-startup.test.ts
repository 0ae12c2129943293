/**
 * A worker thread's start and its task module's import are reported on their own, not charged
 * to the first node that waited for them; warm() does them before any run.
 */
import { performance } from 'node:perf_hooks';
import { RunRecorder, type StartupStep, ThreadWorkflow, toChromeTrace } from 'functionfuse';
import { describe, expect, it } from 'vitest';
import { sum } from './fixtures/tasks.js';
import { loadedPackages } from './fixtures/thread-tasks.js';

interface Finished {
  readonly node: string;
  readonly threadId: number;
  readonly startedAt: number;
  readonly startup: readonly StartupStep[] | undefined;
}

function finishedNodes(wf: ThreadWorkflow): Finished[] {
  const finished: Finished[] = [];
  wf.on('node-finished', ({ node, threadId, startedAt, startup }) => {
    finished.push({ node, threadId, startedAt, startup });
  });
  return finished;
}

describe('ThreadWorkflow: start-up of its threads', () => {
  it('reports each thread start and module import once per thread, before the node that waited', async () => {
    const leaves = Array.from({ length: 6 }, (_, position) => sum(position, 1).setName(`s${position}`));
    await using wf = new ThreadWorkflow(leaves, { workflowName: 'startup', threads: 2 });
    const finished = finishedNodes(wf);
    const recorder = new RunRecorder(wf);
    // The threads start with the run, long after this process did.
    const runStartedAt = performance.timeOrigin + performance.now();
    expect(await wf.run()).toEqual([1, 2, 3, 4, 5, 6]);
    const runEndedAt = performance.timeOrigin + performance.now();
    const withStartup = finished.filter((each) => each.startup !== undefined);
    const threads = new Set(finished.map((each) => each.threadId));
    // The first node each thread ran waited for its start and for tasks.ts.
    expect(withStartup.map((each) => each.threadId).sort()).toEqual([...threads].sort());
    for (const { startup, startedAt } of withStartup) {
      expect(startup?.map((step) => step.label)).toEqual(['thread start', 'import tasks.ts']);
      for (const step of startup ?? []) {
        expect(step.durationMs).toBeGreaterThan(0);
        expect(step.startedAt).toBeGreaterThanOrEqual(runStartedAt);
        expect(step.startedAt + step.durationMs).toBeLessThanOrEqual(runEndedAt);
        // The node's own time starts after its start-up ended.
        expect(startedAt).toBeGreaterThanOrEqual(step.startedAt + step.durationMs - 0.001);
      }
    }
    const startupSlices = toChromeTrace(recorder.recording()).traceEvents.filter(
      (event) => event.cat === 'startup',
    );
    expect(startupSlices.map((slice) => slice.name).sort()).toEqual(
      [...threads].flatMap(() => ['start-up: import tasks.ts', 'start-up: thread start']).sort(),
    );

    // A second run on the same threads has nothing to start.
    finished.length = 0;
    await wf.run();
    expect(finished.filter((each) => each.startup !== undefined)).toEqual([]);
  });

  it('warm() starts every thread and imports the task modules, so a run reports no start-up', async () => {
    const leaves = Array.from({ length: 6 }, (_, position) => sum(position, 2).setName(`w${position}`));
    await using wf = new ThreadWorkflow(leaves, { workflowName: 'warmed', threads: 2 });
    await wf.warm();
    const finished = finishedNodes(wf);
    expect(await wf.run()).toEqual([2, 3, 4, 5, 6, 7]);
    expect(finished).toHaveLength(6);
    expect(finished.filter((each) => each.startup !== undefined)).toEqual([]);
  });

  it('a thread that imports the package loads no Redis client: ioredis waits for the first cluster connection', async () => {
    // seedrandom is loaded with the package (RandomStatePlugin), so the check can see a package.
    await using wf = new ThreadWorkflow([loadedPackages(['ioredis', 'bullmq', 'seedrandom'])], {
      workflowName: 'startup-packages',
      threads: 1,
    });
    expect(await wf.run()).toEqual([['seedrandom']]);
  });
});
