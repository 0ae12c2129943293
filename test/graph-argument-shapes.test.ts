import { actor, LocalWorkflow, type Node, task, toDot } from 'functionfuse';
import { afterEach, describe, expect, it, vi } from 'vitest';

const leaf = task(function shapeLeaf(index: number) {
  return index;
});
const count = task(function shapeCount(...values: unknown[]) {
  return values.length;
});
/** Follows `[...]` down to the value at the bottom and says how deep it was. */
const bottom = task(function shapeBottom(value: unknown) {
  let depth = 0;
  let current = value;
  while (Array.isArray(current)) {
    current = current[0];
    depth++;
  }
  return { depth, value: current };
});

function nested(depth: number, value: unknown): unknown {
  let current = value;
  for (let level = 0; level < depth; level++) current = [current];
  return current;
}

describe('a node with many node arguments', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('collects 100,000 node arguments as distinct parents in argument order', () => {
    const parents = Array.from({ length: 90_000 }, (_, index) => leaf(index));
    // 10,000 of them given again, in reverse: duplicates collapse, the first occurrence wins.
    const node = count(...parents, ...parents.slice(0, 10_000).reverse());
    expect(node.args).toHaveLength(100_000);
    expect(node.parents).toHaveLength(90_000);
    expect(node.parents.every((parent, index) => parent === parents[index])).toBe(true);
    expect((parents[12_345] as Node).children).toEqual([node]);
  });

  it('does linear work: one membership Set per node, not a copy per argument', () => {
    const parents = Array.from({ length: 5_000 }, (_, index) => leaf(index));
    let setsMade = 0;
    // Counts the Sets graph building makes; a copy of the parents per argument was O(N²).
    vi.stubGlobal(
      'Set',
      class CountedSet<T> extends Set<T> {
        constructor(values?: Iterable<T> | null) {
          super(values);
          setsMade++;
        }
      },
    );
    const node = count(...parents);
    vi.unstubAllGlobals();
    expect(node.parents).toHaveLength(5_000);
    expect(setsMade).toBe(1);
  });
});

describe('an argument nested 100,000 deep', () => {
  const deep = (): { node: Node; parent: Node } => {
    const parent = leaf(7).setName('deep parent');
    return { node: bottom(nested(100_000, { item: parent.item('toFixed') })), parent };
  };

  it('is walked without recursion when the node is built, and resolved when it runs', async () => {
    const { node, parent } = deep();
    expect(node.parents).toEqual([parent]);
    const wf = new LocalWorkflow(node, { workflowName: 'deep' });
    const result = (await wf.run()) as { depth: number; value: { item: unknown } };
    expect(result.depth).toBe(100_000);
    expect(result.value.item).toBe(Number.prototype.toFixed);
  });

  it('is drawn, with the item path it reads', () => {
    const { node } = deep();
    node.setName('deep child');
    expect(toDot([node.parents[0] as Node, node])).toContain('n0 -> n1 [label=".toFixed"];');
  });

  it('is still refused when it contains itself', () => {
    const cyclic: unknown[] = [[1]];
    (cyclic[0] as unknown[]).push(cyclic);
    expect(() => bottom(nested(50_000, cyclic))).toThrow(
      new TypeError('An argument contains itself (a cyclic array or object); it cannot be resolved'),
    );
  });
});

describe('an actor handle as an argument', () => {
  const Counter = actor(
    class Counter {
      count = 0;
      add(n: number) {
        this.count += n;
        return this.count;
      }
    },
  );

  it('is refused when the node is built, on every backend, saying what to pass instead', () => {
    const counter = Counter().setName('clicks');
    const message =
      'Argument 2 of shapeCount() holds the handle of actor "clicks": a node takes values, not handles. ' +
      'Pass the result of one of its methods (`handle.method(...)`), or `handle.node` for the object itself ' +
      "(LocalWorkflow only: on ThreadWorkflow an actor's object stays in its own thread).";
    expect(() => count(1, counter)).toThrow(new TypeError(message));
    expect(() => count(1, { settings: [counter] })).toThrow(new TypeError(message));
    expect(() => counter.add(counter as never)).toThrow(
      new TypeError(message.replace('Argument 2 of shapeCount()', 'Argument 1 of Counter.add()')),
    );
  });

  it('is refused as a leaf, saying to pass handle.node', () => {
    const counter = Counter().setName('taps');
    expect(() => new LocalWorkflow([counter as never], { workflowName: 'leaf' })).toThrow(
      new TypeError(
        'Expected `leaves[0]` to be a node or an item, got the handle of actor "taps": pass `handle.node` for ' +
          'its object, or the result of one of its methods',
      ),
    );
  });

  it('gives the object itself through handle.node on LocalWorkflow', async () => {
    const counter = Counter();
    const total = counter.add(5);
    const seen = task(function seenCount(object: { count: number }, after: number) {
      return [object.count, after];
    })(counter.node, total);
    expect(await new LocalWorkflow(seen, { workflowName: 'handle' }).run()).toEqual([5, 5]);
  });
});
