/** Cache keys in one process: what changes a node's key, what does not, and the node-stale event. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  actor,
  FileStorage,
  LocalWorkflow,
  type Node,
  type Ref,
  task,
  type WorkflowEventMap,
} from '../src/index.js';
import { CanonicalEncoder } from '../src/keys/canonical-encoder.js';
import { keyToHex, loadKeyHasher } from '../src/keys/key-hasher.js';
import { NodeKeys } from '../src/keys/node-keys.js';
import { ExecutionPlan } from '../src/workflow/plan.js';

const hasher = await loadKeyHasher();

/** The XXH64 of an argument's canonical encoding. */
function argumentKey(value: unknown): string {
  const encoder = new CanonicalEncoder(hasher);
  encoder.value(value, () => 0);
  return keyToHex(hasher.hashBytes(encoder.bytes()));
}

/** The key of each node of the graph of `leaves`, by name. */
async function keysByName(leaves: readonly Ref[]): Promise<Record<string, string>> {
  const plan = new ExecutionPlan(leaves);
  const keys = await NodeKeys.compute(plan.nodes, plan.parentIndexes, []);
  return Object.fromEntries(plan.nodes.map((node, index) => [node.name, keys.hexOf(index)]));
}

const scale = task(function scale(values: unknown, factor: unknown) {
  return [values, factor];
});
const first = task(function first(value: unknown) {
  return value;
});
const versioned1 = task(
  function versioned(value: number) {
    return value;
  },
  { version: 1 },
);
const versioned2 = task(
  function versioned(value: number) {
    return value;
  },
  { version: 2 },
);
const Counter = actor(
  class Counter {
    constructor(public total: number) {}
    add(value: number) {
      this.total += value;
      return this.total;
    }
  },
);

describe('canonical argument encoding', () => {
  it('gives the same key whatever order object keys were written in, at any depth', () => {
    expect(argumentKey({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(
      argumentKey({ a: { c: 'x', d: [1, 2] }, b: 1 }),
    );
    expect(argumentKey({ a: 1, b: 2 })).not.toBe(argumentKey({ a: 2, b: 1 }));
  });

  it('tells values apart that JSON would not', () => {
    const keys = [
      1,
      '1',
      1n,
      [1],
      { 0: 1 },
      new Set([1]),
      new Map([[1, 1]]),
      null,
      undefined,
      [undefined],
      new Array(1),
    ];
    expect(new Set(keys.map(argumentKey)).size).toBe(keys.length);
  });

  it('keys typed arrays by content and type, large ones too', () => {
    const big = Float64Array.from({ length: 1_000_000 }, (_, index) => index);
    expect(argumentKey(big)).toBe(argumentKey(Float64Array.from(big)));
    const changed = Float64Array.from(big);
    changed[999_999] = -1;
    expect(argumentKey(changed)).not.toBe(argumentKey(big));
    expect(argumentKey(new Float64Array(2))).not.toBe(argumentKey(new BigInt64Array(2)));
    expect(argumentKey(new Uint8Array([1, 2, 3]))).toBe(
      argumentKey(new Uint8Array([9, 1, 2, 3]).subarray(1)),
    );
  });

  it('encodes an argument nested 100,000 deep, and a cyclic one, without recursion', () => {
    let deep: unknown = 0;
    for (let depth = 0; depth < 100_000; depth++) deep = [deep];
    expect(argumentKey(deep)).toMatch(/^[0-9a-f]{16}$/);
    const cycle = (): Record<string, unknown> => {
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      return cyclic;
    };
    expect(argumentKey(cycle())).toBe(argumentKey(cycle()));
    expect(argumentKey(cycle())).not.toBe(argumentKey({ a: 1, self: {} }));
  });
});

describe('node keys', () => {
  it('are the same for the same graph built again, and differ with a literal', async () => {
    const build = (factor: number) => [scale(first([1, 2]).setName('data'), factor).setName('scaled')];
    const once = await keysByName(build(2));
    expect(await keysByName(build(2))).toEqual(once);
    const other = await keysByName(build(3));
    expect(other.data).toBe(once.data);
    expect(other.scaled).not.toBe(once.scaled);
  });

  it('follow a parent through its key (its arguments), never its result', async () => {
    const build = (seedValue: number) => [first(first(seedValue).setName('parent')).setName('child')];
    expect((await keysByName(build(1))).child).not.toBe((await keysByName(build(2))).child);
  });

  it('refuse a version that is not a string or a finite number', () => {
    expect(() => task(function bad() {}, { version: Number.NaN })).toThrow(
      new TypeError(
        'Expected the `version` option of task() to be a string or a finite number, got NaN (number)',
      ),
    );
  });

  it('include the version option as a part of its own', async () => {
    const plan = new ExecutionPlan([versioned1(1).setName('v1'), versioned2(1).setName('v2')]);
    const keys = await NodeKeys.compute(plan.nodes, plan.parentIndexes, []);
    const [one, two] = [keys.cacheKeyOf(0), keys.cacheKeyOf(1)];
    expect(one.version).not.toBe(two.version);
    expect(one.arguments).toBe(two.arguments);
    expect(one.key).not.toBe(two.key);
  });

  it('key nodes downstream of an actor through its init arguments, methods and call order', async () => {
    const build = (start: number, calls: readonly number[]) => {
      const counter = Counter(start).setName('counter');
      let last: Node | undefined;
      for (const value of calls) last = counter.add(value);
      return [first(last as Node).setName('downstream')];
    };
    const base = (await keysByName(build(0, [1, 2]))).downstream;
    expect((await keysByName(build(0, [1, 2]))).downstream).toBe(base);
    expect((await keysByName(build(5, [1, 2]))).downstream).not.toBe(base);
    expect((await keysByName(build(0, [2, 1]))).downstream).not.toBe(base);
  });
});

describe('the node-stale event', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'functionfuse-stale-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('names the node, its index, what changed, and both keys; the rerun saves the new key', async () => {
    const storage = new FileStorage(folder);
    const build = (factor: number) => scale([1, 2], factor).setName('scaled');
    await new LocalWorkflow(build(2), { workflowName: 'stale' }).setStorage(storage).run();
    const before = (await storage.readKey('stale', 'scaled'))?.cacheKey as { key: string };

    const events: WorkflowEventMap['node-stale'][] = [];
    const workflow = new LocalWorkflow(build(3), { workflowName: 'stale' }).setStorage(storage);
    workflow.on('node-stale', (event) => events.push(event));
    expect(await workflow.run()).toEqual([[1, 2], 3]);
    const after = (await storage.readKey('stale', 'scaled'))?.cacheKey as { key: string };
    expect(events).toEqual([
      {
        node: 'scaled',
        index: 0,
        time: expect.any(Number),
        reason: 'arguments-changed',
        reasons: ['arguments-changed'],
        key: after.key,
        storedKey: before.key,
      },
    ]);
    expect(after.key).not.toBe(before.key);
  });
});
