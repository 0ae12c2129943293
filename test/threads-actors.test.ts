import {
  InitializerPlugin,
  LocalWorkflow,
  NodeExecutionError,
  RandomStatePlugin,
  ThreadWorkflow,
  UnsendablePluginError,
} from 'functionfuse';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  Accumulator,
  ramp,
  readTag,
  TagPlugin,
  tagAsPlain,
  UnregisteredPlugin,
  work,
} from './fixtures/actor-tasks.js';
import { record } from './fixtures/tasks.js';
import { echo } from './fixtures/thread-tasks.js';
import { ExecutionLog, withWorkflow } from './support/backends.js';

describe('stateful nodes on threads', () => {
  it('feeds an actor from parallel branches, in call order', async () => {
    const acc = Accumulator();
    const sums = [1, 2, 3, 4, 5, 6].map((value) => acc.add(work(value)));
    const results = await withWorkflow(new ThreadWorkflow(sums, { workflowName: 'fed', threads: 2 }), (wf) =>
      wf.run(),
    );
    expect(results).toEqual([1, 3, 6, 10, 15, 21]);
  });

  it("keeps actor threads between runs: the next run's actor starts on one, with a fresh object", async () => {
    const acc = Accumulator().setName('acc');
    const sums = [1, 2, 3].map((value) => acc.add(value));
    await withWorkflow(new ThreadWorkflow(sums, { workflowName: 'kept-actor', threads: 1 }), async (wf) => {
      const inits: { threadId: number; startup: string[] }[] = [];
      wf.on('node-finished', ({ node, threadId, startup }) => {
        if (node === 'acc') inits.push({ threadId, startup: (startup ?? []).map((step) => step.label) });
      });
      expect(await wf.run()).toEqual([1, 3, 6]);
      // The second run's object starts from nothing: the first's was dropped, not reused.
      expect(await wf.run()).toEqual([1, 3, 6]);
      expect(inits).toHaveLength(2);
      expect(inits[0]?.startup).toEqual(['thread start', 'import actor-tasks.ts']);
      expect(inits[1]).toEqual({ threadId: inits[0]?.threadId, startup: [] });
    });
  });

  it('passes typed arrays into and out of actor calls', async () => {
    const acc = Accumulator();
    const scaled = acc.scaled(ramp(5), 2);
    const result = await withWorkflow(
      new ThreadWorkflow(scaled, { workflowName: 'typed', threads: 2 }),
      (wf) => wf.run(),
    );
    expect(result).toBeInstanceOf(Float64Array);
    expect(result).toEqual(new Float64Array([0, 2, 4, 6, 8]));
  });

  it('returns a snapshot of the object when its init node is a leaf', async () => {
    const acc = Accumulator();
    acc.add(4);
    acc.add(5);
    const result = await withWorkflow(
      new ThreadWorkflow(acc.node, { workflowName: 'snapshot', threads: 1 }),
      (wf) => wf.run(),
    );
    expect(result).toEqual({ parts: [4, 5] });
  });

  it('applies plugins to actor calls (the original ignores them)', async () => {
    const acc = Accumulator().setName('acc');
    const draw = acc.noisy().setName('acc noisy');
    const expected = seedrandom.alea('8')();
    for (const workflow of [
      new LocalWorkflow(draw, { workflowName: 'actor-plugin' }),
      new ThreadWorkflow(draw, { workflowName: 'actor-plugin', threads: 1 }),
    ]) {
      workflow.query('acc noisy').setPlugin(new RandomStatePlugin({ seed: 7 }));
      expect(await workflow.run()).toBe(expected);
      if (workflow instanceof ThreadWorkflow) await workflow.close();
    }
  });

  it("fails an actor's call clearly when its thread dies, and stops the run", async () => {
    const acc = Accumulator().setName('doomed');
    const crashed = acc.crash().setName('doomed crash');
    const after = acc.add(1).setName('after crash');
    const error = await withWorkflow(
      new ThreadWorkflow([crashed, after], { workflowName: 'crash', threads: 1 }),
      (wf) => wf.run().catch((caught: unknown) => caught),
    );
    expect(error).toBeInstanceOf(NodeExecutionError);
    expect(error).toMatchObject({ nodeName: 'doomed crash' });
    expect((error as Error).cause).toMatchObject({
      name: 'WorkerDiedError',
      message: 'The worker thread of actor "doomed" exited with code 3',
    });
  });
});

describe('actor objects on threads', () => {
  it("refuses a task that takes an actor's object as an argument, saying what to do", async () => {
    const acc = Accumulator().setName('kept in its thread');
    const node = echo(acc.node).setName('wants the object');
    const error = await withWorkflow(new ThreadWorkflow(node, { workflowName: 'object', threads: 1 }), (wf) =>
      wf.run().catch((caught: unknown) => caught),
    );
    expect((error as Error).message).toBe(
      'Node "wants the object" failed: FunctionFuseError: Node "wants the object" takes the object of actor ' +
        '"kept in its thread" as an argument. On ThreadWorkflow an actor\'s object stays in its own thread: call its ' +
        'methods and pass their results instead.',
    );
  });
});

describe('plugins on threads', () => {
  it('rebuilds a user plugin class registered with pluginClass() in the worker', async () => {
    const tag = readTag().setName('tagged');
    const result = await withWorkflow(new ThreadWorkflow(tag, { workflowName: 'tag', threads: 1 }), (wf) => {
      wf.query().setPlugin(new TagPlugin('blue'));
      return wf.run();
    });
    expect(result).toBe('blue:tagged');
  });

  it('finds a plain function exported from a task module, for InitializerPlugin', async () => {
    const tag = readTag().setName('plain tag');
    const result = await withWorkflow(
      new ThreadWorkflow(tag, { workflowName: 'plain', threads: 1 }),
      (wf) => {
        wf.query().setPlugin(new InitializerPlugin(tagAsPlain));
        return wf.run();
      },
    );
    expect(result).toBe('plain');
  });

  it('refuses a plugin that cannot be sent before anything runs, naming the plugin and the node', async () => {
    const log = new ExecutionLog();
    try {
      const first = record(log.path, 'first', 1).setName('first');
      const second = record(log.path, 'second', 2).setName('second');
      const wf = new ThreadWorkflow([first, second], { workflowName: 'unsendable', threads: 1 });
      wf.query('second').setPlugin(new InitializerPlugin(() => {}));
      await withWorkflow(wf, async () => {
        await expect(wf.run()).rejects.toThrow(
          new UnsendablePluginError(
            'The plugin InitializerPlugin of node "second" cannot be sent to a worker thread: its field `initializer` ' +
              'is a function (anonymous), which a worker cannot find. Export the function from a module that defines ' +
              'tasks, or define it with task() at the top level of a module and pass that task.',
          ),
        );
        wf.query('second').setPlugin(new UnregisteredPlugin());
        await expect(wf.run()).rejects.toThrow(
          /UnregisteredPlugin of node "second" .* its class is not registered/,
        );
      });
      expect(log.entries()).toEqual([]);
    } finally {
      log.remove();
    }
  });
});
