import {
  actor,
  FileStorage,
  GraphWorkflow,
  LocalWorkflow,
  RandomStatePlugin,
  ThreadWorkflow,
  task,
  toDot,
} from 'functionfuse';
import { describe, expect, it } from 'vitest';
import { closestName, refuseUnknownKeys } from '../src/options/unknown-keys.js';

const unit = task(function unknownKeysUnit() {
  return 1;
});

describe('unknown option keys are refused, with the closest known name', () => {
  it.each([
    [
      'ThreadWorkflow',
      () => new ThreadWorkflow(unit(), { workflowName: 'x', thread: 2 } as never),
      'Unknown ThreadWorkflow option `thread` (did you mean `threads`?); known options: workflowName, threads, maxBatchSize, resourceLimits',
    ],
    [
      'ThreadWorkflow resourceLimits',
      () => new ThreadWorkflow(unit(), { workflowName: 'x', resourceLimits: { stackSize: 4 } } as never),
      'Unknown resourceLimits key `stackSize` (did you mean `stackSizeMb`?); known keys: maxOldGenerationSizeMb, maxYoungGenerationSizeMb, stackSizeMb',
    ],
    [
      'LocalWorkflow',
      () => new LocalWorkflow(unit(), { workflowName: 'x', workflowname: 'y' } as never),
      'Unknown LocalWorkflow option `workflowname` (did you mean `workflowName`?); known options: workflowName, threads, maxBatchSize, resourceLimits',
    ],
    [
      'GraphWorkflow',
      () => new GraphWorkflow(unit(), { workflowName: 'x', docPath: 'docs', docpath: 'docs' } as never),
      'Unknown GraphWorkflow option `docpath` (did you mean `docPath`?); known options: workflowName, docPath, nodeClass, threads, maxBatchSize, resourceLimits',
    ],
    [
      'task()',
      () => task(function bogusOptions() {}, { bogus: 1 } as never),
      'Unknown task() option `bogus`; known options: name, module, version',
    ],
    [
      'actor()',
      () => actor(class Bogus {}, { nmae: 'x' } as never),
      'Unknown actor() option `nmae` (did you mean `name`?); known options: name, module, version',
    ],
    [
      'setStorage()',
      () =>
        new LocalWorkflow(unit(), { workflowName: 'x' }).setStorage(new FileStorage('store'), {
          trsut: 'name',
        } as never),
      'Unknown setStorage() option `trsut` (did you mean `trust`?); known options: trust',
    ],
    [
      'node options',
      () => new LocalWorkflow(unit(), { workflowName: 'x' }).query().setOptions({ priorty: 1 } as never),
      'Unknown node option `priorty` (did you mean `priority`?); known options: priority, retries, retryDelay, timeout, shareResult',
    ],
    [
      'toDot()',
      () => toDot([unit()], { tittle: 'x' } as never),
      'Unknown drawing option `tittle` (did you mean `title`?); known options: title, nodeClass',
    ],
    [
      'RandomStatePlugin',
      () => new RandomStatePlugin({ seed: 1, algoritm: 'arc4' } as never),
      'Unknown RandomStatePlugin option `algoritm` (did you mean `algorithm`?); known options: seed, min, max, seedFunc, algorithm, mathRandom',
    ],
  ])('%s', (_, build, message) => {
    expect(build).toThrow(new TypeError(message));
  });

  it('refuses a trust that is neither key nor name, naming the value', () => {
    const wf = new LocalWorkflow(unit(), { workflowName: 'x' });
    expect(() => wf.setStorage(new FileStorage('store'), { trust: 'names' } as never)).toThrow(
      new TypeError("Expected `trust` to be 'key' or 'name', got \"names\" (string)"),
    );
  });

  it("accepts ThreadWorkflow's options on every backend, so that only the class changes", () => {
    const options = { workflowName: 'x', threads: 1, maxBatchSize: 4 };
    expect(new LocalWorkflow(unit(), options).workflowName).toBe('x');
    expect(new GraphWorkflow(unit(), { ...options, docPath: 'docs' }).workflowName).toBe('x');
    expect(() => new LocalWorkflow(unit(), { workflowName: 'x', thread: 1 } as never)).toThrow(
      /^Unknown LocalWorkflow option `thread` \(did you mean `threads`\?\)/,
    );
  });

  it('refuses unknown run() options on both backends before anything runs', async () => {
    const message = 'Unknown run option `unknown`; known options: failFast, signal';
    await expect(
      new LocalWorkflow(unit(), { workflowName: 'x' }).run({ unknown: 1 } as never),
    ).rejects.toThrow(new TypeError(message));
    // Refused before the pool starts: no thread to close.
    await expect(
      new ThreadWorkflow(unit(), { workflowName: 'x', threads: 1 }).run({ failfast: false } as never),
    ).rejects.toThrow(
      new TypeError(
        'Unknown run option `failfast` (did you mean `failFast`?); known options: failFast, signal',
      ),
    );
  });

  it('suggests a name only when it is a plausible typo', () => {
    expect(closestName('thread', ['workflowName', 'threads'])).toBe('threads');
    expect(closestName('ALWAYSREAD', ['alwaysRead', 'durable'])).toBe('alwaysRead');
    expect(closestName('bogus', ['name', 'module'])).toBeUndefined();
    expect(closestName('x', ['y', 'xy'])).toBeUndefined();
    expect(closestName('nmae', ['name', 'module'])).toBe('name');
    expect(() => refuseUnknownKeys({ a: 1, b: 2 }, ['a'], 'thing', 'known things')).toThrow(
      new TypeError('Unknown thing `b`; known things: a'),
    );
    expect(() => refuseUnknownKeys({ a: 1 }, ['a'], 'thing')).not.toThrow();
  });
});

describe('options of the views of a run', () => {
  it('refuse unknown keys, naming the closest known one', async () => {
    const { RunRecorder, LocalWorkflow, renderRunReport, toChromeTrace } = await import('functionfuse');
    const { ProgressReporter } = await import('../src/progress/progress-reporter.js');
    const { sum } = await import('./fixtures/tasks.js');
    const wf = new LocalWorkflow(sum(1, 2), { workflowName: 'views' });
    expect(() => new RunRecorder(wf, { failedThread: 0 } as never)).toThrow(
      new TypeError(
        'Unknown RunRecorder option `failedThread` (did you mean `failedThreadId`?); known options: failedThreadId',
      ),
    );
    expect(() => new ProgressReporter(wf, { interval: 5 } as never)).toThrow(
      new TypeError(
        'Unknown ProgressReporter option `interval` (did you mean `intervalMs`?); known options: stream, mode, intervalMs, retryLines',
      ),
    );
    const recording = new RunRecorder(wf).recording();
    expect(() => toChromeTrace(recording, { pdi: 1 } as never)).toThrow(
      new TypeError('Unknown Chrome trace option `pdi` (did you mean `pid`?); known options: pid'),
    );
    await expect(renderRunReport(recording, { backnd: 'x' } as never)).rejects.toThrow(
      new TypeError('Unknown run report option `backnd` (did you mean `backend`?); known options: backend'),
    );
  });
});
