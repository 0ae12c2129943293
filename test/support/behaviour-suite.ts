/**
 * The behaviour every backend must show, with exact expected values. Each backend's test file
 * calls `describeBackendBehaviour` with its own factory.
 */
import {
  DuplicateNodeNameError,
  InitializerPlugin,
  NodeExecutionError,
  PluginCollection,
  RandomStatePlugin,
  WorkflowFailedError,
} from 'functionfuse';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, it } from 'vitest';
import {
  asyncDouble,
  Counter,
  constantRandom,
  describe as describeStats,
  draw,
  drawAsync,
  fail,
  failAsync,
  greetFirst,
  greetHello,
  greetSecond,
  IncrementalSum,
  identity,
  minus,
  pair,
  readGreeting,
  record,
  simulate,
  stats,
  sum,
  throwString,
  total,
} from '../fixtures/tasks.js';
import { type BackendUnderTest, ExecutionLog } from './backends.js';

/** The first `count` draws of seedrandom seeded with `seed`, computed without functionfuse. */
function expectedDraws(seed: number, count: number): number[] {
  const random = seedrandom.alea(String(seed));
  return Array.from({ length: count }, () => random());
}

export function describeBackendBehaviour(backend: BackendUnderTest): void {
  describe(`${backend.name}: graphs`, () => {
    afterAll(() => backend.close());

    it('runs the basic graph of the original (sum, sum, minus) to -1', async () => {
      const s1 = sum(1, 1);
      const s2 = sum(s1, 1);
      const m = minus(s1, s2);
      expect(await backend.create(m, 'first').run()).toBe(-1);
    });

    it('runs the tuple-output graph of the original through items to -1', async () => {
      const s1 = pair(1, 1);
      const s2 = pair(s1.item(0), 1);
      const m = minus(s1.item(0), s2.item(0));
      expect(await backend.create(m, 'second').run()).toBe(-1);
    });

    it('returns one value for one leaf and a tuple for an array of leaves', async () => {
      const p = pair(2, 3);
      const s = sum(p.item(0), p.item(1));
      expect(await backend.create(s, 'single').run()).toBe(8);
      expect(await backend.create([s, p, p.item(1)], 'many').run()).toEqual([8, [5, 3], 3]);
    });

    it('indexes items again, and returns an item given as a leaf', async () => {
      const st = stats([1, 2, 3]);
      const corner = st.item('grid').item(1).item(2);
      const mean = st.item('mean');
      expect(await backend.create([corner, mean], 'items').run()).toEqual([30, 2]);
    });

    it('resolves nodes nested in arrays and plain objects at any depth', async () => {
      const s1 = sum(1, 1);
      const s2 = sum(s1, 1);
      const t = total([s1, 10, s2], { offset: s1, scale: 2 });
      const d = describeStats({ mean: s2, grid: [[0], [0, 0, s1]] });
      expect(await backend.create([t, d], 'nested').run()).toEqual([
        (2 + 10 + 3) * 2 + 2,
        { mean: 3, corner: 2 },
      ]);
    });

    it('awaits async tasks', async () => {
      const d = asyncDouble(sum(2, 3));
      expect(await backend.create(asyncDouble(d), 'async').run()).toBe(20);
    });

    it('passes values that are not nodes through untouched', async () => {
      const date = new Date(0);
      const typed = new Float64Array([1.5, 2.5]);
      const [outDate, outTyped] = await backend.create([identity(date), identity(typed)], 'plain').run();
      expect(outDate).toEqual(date);
      expect(outTyped).toEqual(typed);
    });

    it('runs a workflow any number of times, and after findNodes(), with the same result', async () => {
      const s1 = sum(1, 1);
      const m = minus(s1, sum(s1, 1));
      const wf = backend.create(m, 'again');
      expect(wf.findNodes().length).toBe(3);
      expect(await wf.run()).toBe(-1);
      expect(await wf.run()).toBe(-1);
      expect(await wf.run()).toBe(-1);
    });

    it('lets two workflows share nodes (the original finds no roots the second time)', async () => {
      const s1 = sum(1, 1);
      const s2 = sum(s1, 1);
      const first = backend.create(s2, 'shared-a');
      const second = backend.create(minus(s2, s1), 'shared-b');
      expect(await first.run()).toBe(3);
      expect(second.roots).toEqual([s1]);
      expect(await second.run()).toBe(1);
      expect(await first.run()).toBe(3);
    });

    it('runs every descendant of the roots, once each, not only the ancestors of the leaves', async () => {
      const log = new ExecutionLog();
      try {
        const root = record(log.path, 'root', 1);
        record(log.path, 'side branch', sum(root, 1));
        const leaf = record(log.path, 'leaf', sum(root, 2));
        expect(await backend.create(leaf, 'descendants').run()).toBe(3);
        expect(log.entries().sort()).toEqual(['leaf', 'root', 'side branch']);
      } finally {
        log.remove();
      }
    });

    it('includes the ancestors a descendant needs even when they descend from another root', async () => {
      const log = new ExecutionLog();
      try {
        const root = record(log.path, 'root', 1);
        const otherRoot = record(log.path, 'other root', 10);
        record(log.path, 'joined', sum(root, otherRoot));
        expect(await backend.create(root, 'ancestors').run()).toBe(1);
        expect(log.entries().sort()).toEqual(['joined', 'other root', 'root']);
      } finally {
        log.remove();
      }
    });

    it('refuses duplicate names before running anything, naming the name', async () => {
      const log = new ExecutionLog();
      try {
        const a = record(log.path, 'a', 1).setName('twin');
        const b = record(log.path, 'b', sum(a, 1)).setName('twin');
        expect(() => backend.create(b, 'dupes').findNodes()).toThrow(DuplicateNodeNameError);
        await expect(backend.create(b, 'dupes').run()).rejects.toThrow(/named "twin"/);
        expect(log.entries()).toEqual([]);
      } finally {
        log.remove();
      }
    });
  });

  describe(`${backend.name}: failures`, () => {
    afterAll(() => backend.close());

    it('rejects with the failing node named and the original error as cause', async () => {
      const failing = fail('boom').setName('exploding node');
      const error = await backend
        .create(sum(failing, 1), 'fails')
        .run()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NodeExecutionError);
      const { message, nodeName, cause } = error as NodeExecutionError;
      expect(nodeName).toBe('exploding node');
      expect(message).toBe('Node "exploding node" failed: FixtureError: boom');
      expect(cause).toBeInstanceOf(Error);
      expect(cause).toMatchObject({ name: 'FixtureError', message: 'boom', code: 'E_FIXTURE' });
      expect((cause as Error).stack).toContain('fail');
    });

    it('reports a rejected promise the same way', async () => {
      const failing = failAsync('later').setName('async failure');
      await expect(backend.create(failing, 'fails-async').run()).rejects.toMatchObject({
        name: 'NodeExecutionError',
        nodeName: 'async failure',
        cause: { name: 'FixtureError', message: 'later' },
      });
    });

    it('wraps a thrown non-Error value and says so', async () => {
      const node = throwString().setName('throws a string');
      await expect(backend.create(node, 'fails-string').run()).rejects.toThrow(
        'Node "throws a string" failed: threw a non-Error value: "plain string" (string)',
      );
    });

    it('does not run the children of a failed node', async () => {
      const log = new ExecutionLog();
      try {
        const child = record(log.path, 'child', fail('stop'));
        await expect(backend.create(child, 'fails-children').run()).rejects.toThrow(NodeExecutionError);
        expect(log.entries()).toEqual([]);
      } finally {
        log.remove();
      }
    });
  });

  describe.runIf(backend.supportsActors)(`${backend.name}: stateful nodes`, () => {
    afterAll(() => backend.close());

    it("runs the original's actor test: calls in order, 6 - 2 = 4", async () => {
      const one = minus(4, 3);
      const incrementalSum = IncrementalSum(one);
      const two = minus(3, one);
      incrementalSum.add(two);
      incrementalSum.add(two);
      const six = incrementalSum.add(one);
      const result = minus(six, 2);
      expect(await backend.create(result, 'actors').run()).toBe(4);
    });

    it("runs the original's named actor test, with the names given", async () => {
      const one = minus(4, 3).setName('four_minus_three');
      const incrementalSum = IncrementalSum(one).setName('IncrementalSum');
      const two = minus(3, one).setName('three_minus_one');
      incrementalSum.add(two).setName('one_plus_two');
      incrementalSum.add(two).setName('three_plus_two');
      const six = incrementalSum.add(one).setName('five_plus_one');
      const result = minus(six, 2).setName('six_minus_two');
      const wf = backend.create(result, 'named-actors');
      expect([...wf.graphTraversal()].map(([name]) => name)).toEqual([
        'four_minus_three',
        'IncrementalSum',
        'three_minus_one',
        'one_plus_two',
        'three_plus_two',
        'five_plus_one',
        'six_minus_two',
      ]);
      expect(await wf.run()).toBe(4);
    });

    it('supports a class without its own constructor, with inherited methods', async () => {
      const counter = Counter();
      counter.increment(3);
      const doubled = counter.double();
      const last = counter.increment(1);
      expect(await backend.create([doubled, last], 'inherited').run()).toEqual([6, 7]);
    });

    it('starts every run from a fresh object', async () => {
      const acc = IncrementalSum(10);
      const wf = backend.create(acc.add(5), 'fresh-state');
      expect(await wf.run()).toBe(15);
      expect(await wf.run()).toBe(15);
    });
  });

  describe.runIf(backend.supportsPlugins)(`${backend.name}: plugins`, () => {
    afterAll(() => backend.close());

    it('hands out seeds in canonical order: seed + 1 for the first node', async () => {
      const first = draw(3);
      const second = draw(2);
      const wf = backend.create([first, second], 'seeds');
      wf.query('draw_.*').setPlugin(new RandomStatePlugin({ seed: 42 }));
      const expected = [expectedDraws(43, 3), expectedDraws(44, 2)];
      expect(await wf.run()).toEqual(expected);
      expect(await wf.run()).toEqual(expected);
    });

    it('wraps seeds from max to min as the original does (min 0, max 3, seed 2: 3, 0, 1, 2)', async () => {
      const nodes = [draw(1), draw(1), draw(1), draw(1)] as const;
      const wf = backend.create(nodes, 'wrap');
      wf.setPlugin(/draw_.*/, new RandomStatePlugin({ seed: 2, min: 0, max: 3 }));
      const values = await wf.run();
      expect(values).toEqual([3, 0, 1, 2].map((seed) => expectedDraws(seed, 1)));
    });

    it('restores Math.random after a seeded node', async () => {
      const before = Math.random;
      const wf = backend.create(draw(1), 'restore');
      wf.query().setPlugin(new RandomStatePlugin({ seed: 7 }));
      await wf.run();
      expect(Math.random).toBe(before);
    });

    it('gives an async node its own generator through nodeRandom()', async () => {
      const a = drawAsync(3);
      const b = drawAsync(3);
      const wf = backend.create([a, b], 'node-random');
      wf.query().setPlugin(new RandomStatePlugin({ seed: 100, mathRandom: false }));
      expect(await wf.run()).toEqual([expectedDraws(101, 3), expectedDraws(102, 3)]);
    });

    it('runs an InitializerPlugin where the node runs, before it, and its cleanup after', async () => {
      const greeting = readGreeting('!');
      const after = readGreeting('.');
      const wf = backend.create([greeting, after], 'initializer');
      wf.query(greeting.name).setPlugin(new InitializerPlugin(greetHello));
      expect(await wf.run()).toEqual(['hello!', 'unset.']);
    });

    it('runs the plugins of a PluginCollection in order', async () => {
      const greeting = readGreeting('?');
      const wf = backend.create([greeting, draw(1)], 'collection');
      const collection = new PluginCollection([
        new InitializerPlugin(greetFirst),
        new InitializerPlugin(greetSecond),
        new RandomStatePlugin({ seed: 5 }),
      ]);
      wf.query().setPlugin(collection);
      const [text, values] = await wf.run();
      delete (globalThis as { ffGreeting?: string }).ffGreeting;
      expect(text).toBe('second?');
      expect(values).toEqual(expectedDraws(7, 1));
    });

    it('calls a custom seedFunc with each seed where the node runs', async () => {
      const wf = backend.create([simulate(2, 0), simulate(2, 0)], 'seed-func');
      wf.query().setPlugin(new RandomStatePlugin({ seed: 10, seedFunc: constantRandom }));
      expect(await wf.run()).toEqual([(11 / 1000) * 2, (12 / 1000) * 2]);
    });
  });

  describe(`${backend.name}: events`, () => {
    afterAll(() => backend.close());

    it('reports every node queued, started and finished, then the end of the run', async () => {
      const s1 = sum(1, 1).setName('e1');
      const s2 = sum(s1, 1).setName('e2');
      const wf = backend.create(s2, 'events');
      const seen: string[] = [];
      const finished: { node: string; durationMs: number; threadId: number; waitMs: number }[] = [];
      let summary: unknown;
      wf.on('run-started', (event) => seen.push(`run-started ${event.nodes}`));
      wf.on('node-queued', (event) => seen.push(`queued ${event.node}`));
      wf.on('node-started', (event) => seen.push(`started ${event.node}`));
      wf.on('node-finished', (event) => {
        seen.push(`finished ${event.node}`);
        finished.push(event);
      });
      wf.on('run-finished', (event) => {
        summary = event;
      });
      expect(await wf.run()).toBe(3);
      expect(seen).toEqual([
        'run-started 2',
        'queued e1',
        'started e1',
        'finished e1',
        'queued e2',
        'started e2',
        'finished e2',
      ]);
      for (const event of finished) {
        expect(event.durationMs).toBeGreaterThanOrEqual(0);
        expect(event.waitMs).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(event.threadId)).toBe(true);
      }
      expect(summary).toMatchObject({
        workflow: 'events',
        ok: true,
        completed: 2,
        cached: 0,
        failed: 0,
        skipped: 0,
      });
    });

    it('reports failed and skipped nodes', async () => {
      const broken = fail('x').setName('broken');
      const child = sum(broken, 1).setName('child');
      const wf = backend.create([child, sum(1, 1).setName('fine')], 'failure-events');
      const seen: string[] = [];
      wf.on('node-failed', (event) => seen.push(`failed ${event.node}: ${event.error.message}`));
      wf.on('node-skipped', (event) => seen.push(`skipped ${event.node}`));
      let summary: unknown;
      wf.on('run-finished', (event) => {
        summary = event;
      });
      await expect(wf.run({ failFast: false })).rejects.toThrow(WorkflowFailedError);
      expect(seen).toEqual(['failed broken: Node "broken" failed: FixtureError: x', 'skipped child']);
      expect(summary).toMatchObject({ ok: false, completed: 1, failed: 1, skipped: 1 });
    });
  });
}
