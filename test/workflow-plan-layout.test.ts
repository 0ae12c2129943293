import { describe, expect, it } from 'vitest';
import { LocalWorkflow, type Node, task } from '../src/index.js';
import { ExecutionPlan } from '../src/workflow/plan.js';

const make = task(function layoutMake(...parts: unknown[]) {
  return parts.length;
});
const add = task(function layoutAdd(a: number, b: number) {
  return a + b;
});
const start = task(function layoutStart(value: number) {
  return value;
});
const record = task(function layoutRecord() {
  return { x: 1 };
});

function names(nodes: readonly Node[]): string[] {
  return nodes.map((node) => node.name);
}

/** Each node's parents (or children) by name, read from the plan's flat lists. */
function edgesByName(plan: ExecutionPlan, start: Int32Array, list: Int32Array): Record<string, string[]> {
  const edges: Record<string, string[]> = {};
  plan.nodes.forEach((node, index) => {
    const ends = [...list.subarray(start[index], start[index + 1])];
    edges[node.name] = ends.map((end) => (plan.nodes[end] as Node).name);
  });
  return edges;
}

describe('the plan as flat lists', () => {
  it('lists parents in argument order and children within the set in creation order', () => {
    // y descends from a, the leaf's root, so it is in the set; q is there because y needs it,
    // though it descends from no root; q's child z is not (nothing in the set needs it).
    const a = make().setName('a');
    const q = make().setName('q');
    const y = make(q, a).setName('y');
    const z = make(q).setName('z');
    const leaf = make(a).setName('leaf');
    const plan = new ExecutionPlan([leaf]);
    expect(names(plan.nodes)).toEqual(['a', 'q', 'y', 'leaf']);
    expect(edgesByName(plan, plan.parentStart, plan.parentList)).toEqual({
      a: [],
      q: [],
      y: ['q', 'a'],
      leaf: ['a'],
    });
    expect(edgesByName(plan, plan.childStart, plan.childList)).toEqual({
      a: ['y', 'leaf'],
      q: ['y'],
      y: [],
      leaf: [],
    });
    expect(z.parents).toEqual([q]);
    expect(y.parents).toEqual([q, a]);
    expect(plan.parentIndexes.map((parents) => [...parents])).toEqual([[], [], [1, 0], [0]]);
    expect(plan.childIndexes.map((children) => [...children])).toEqual([[2, 3], [2], [], []]);
    expect([...plan.consumerCounts()]).toEqual([2, 1, 0, 0]);
    expect([...plan.parentCountsCopy()]).toEqual([0, 0, 2, 1]);
    expect(plan.parentlessCount).toBe(2);
    expect(names(plan.roots)).toEqual(['a']);
  });

  it('finds each node of a plan after a later plan took the same nodes', () => {
    const other = make().setName('other');
    const shared = make().setName('shared');
    const first = new ExecutionPlan([make(shared).setName('first-leaf')]);
    const second = new ExecutionPlan([make(other, shared).setName('second-leaf')]);
    expect(first.indexOf.get(shared)).toBe(0);
    expect(second.indexOf.get(shared)).toBe(1);
    expect(first.indexOf.get(other)).toBeUndefined();
    expect(first.indexOf.has(shared)).toBe(true);
    expect(second.indexOf.get(shared)).toBe(1);
  });

  it('orders graphs whose node ids are far apart exactly as graphs built in one go', () => {
    // Thousands of unrelated nodes between each of these make the ids sparse (a comparison
    // sort instead of the bucket pass); the canonical order must not change.
    const spacer = (): void => {
      for (let index = 0; index < 2_000; index++) start(index);
    };
    const b = make().setName('sparse-b');
    spacer();
    const a = make().setName('sparse-a');
    spacer();
    const c = make(a, b).setName('sparse-c');
    spacer();
    const e = make(c).setName('sparse-e');
    spacer();
    const d = make(a, c).setName('sparse-d');
    const wf = new LocalWorkflow([d, e], { workflowName: 'sparse' });
    expect(names(wf.findNodes())).toEqual(['sparse-b', 'sparse-a', 'sparse-c', 'sparse-e', 'sparse-d']);
  });
});

describe('names and duplicates without spelling every name', () => {
  it('spells default names on demand, the same each time', () => {
    const node = start(1);
    const counter = Number(node.name.slice('layoutStart_'.length));
    expect(node.name).toMatch(/^layoutStart_\d{4,}$/);
    expect(node.name).toBe(node.name);
    expect(start(2).name).toBe(`layoutStart_${String(counter + 1).padStart(4, '0')}`);
  });

  it('catches a given name that takes another node’s default name', () => {
    const first = start(1);
    const copy = start(first).setName(first.name);
    expect(() => new ExecutionPlan([copy])).toThrow(
      `Two nodes of the workflow are named "${first.name}": "${first.name}" (task layoutStart) and ` +
        `"${first.name}" (task layoutStart). Give one of them another name with setName().`,
    );
  });

  it('reports the first duplicate in canonical order among given names', () => {
    const x1 = make().setName('x');
    const y1 = make(x1).setName('y');
    const x2 = make(y1).setName('x');
    const y2 = make(x2).setName('y');
    expect(() => new ExecutionPlan([y2])).toThrow(
      'Two nodes of the workflow are named "x": "x" (task layoutMake) and "x" (task layoutMake).',
    );
  });
});

describe('a node’s own arrays', () => {
  it('keeps one or two arguments inline: its arrays are made when read, and run as given', async () => {
    const a = start(1);
    const b = start(2);
    const both = add(a, b);
    expect(both.args).toEqual([a, b]);
    expect(both.parents).toEqual([a, b]);
    expect(both.args).not.toBe(both.args);
    const withValue = add(3, a);
    expect(withValue.args).toEqual([3, a]);
    expect(withValue.parents).toEqual([a]);
    const none = record();
    expect(none.args).toEqual([]);
    expect(none.parents).toEqual([]);
    const values = add(4, 5);
    expect(values.parents).toEqual([]);
    const twice = add(a, a);
    expect(twice.args).toEqual([a, a]);
    expect(twice.parents).toEqual([a]);
    const withItem = make(none.item('x'), b);
    expect(withItem.parents).toEqual([none, b]);
    const workflow = new LocalWorkflow([both, withValue, values, twice, withItem], {
      workflowName: 'inline',
    });
    expect(await workflow.run()).toEqual([3, 4, 9, 2, 2]);
  });

  it('shares a longer arguments array as parents only when the arguments are distinct nodes', () => {
    const a = start(1);
    const b = start(2);
    const c = start(3);
    const three = make(a, b, c);
    expect(three.parents).toBe(three.args);
    expect(three.args).toBe(three.args);
    const repeated = make(a, b, a);
    expect(repeated.parents).toEqual([a, b]);
    expect(repeated.parents).not.toBe(repeated.args);
    const withValue = make(a, b, 3);
    expect(withValue.parents).toEqual([a, b]);
    const fields = record();
    const withItem = make(fields.item('x'), b, c);
    expect(withItem.parents).toEqual([fields, b, c]);
    expect(withItem.parents).not.toBe(withItem.args);
  });

  it('lists children in creation order whatever their number', () => {
    const parent = start(0);
    const expected: Node[] = [];
    for (let count = 0; count <= 20; count++) {
      expect(parent.children).toEqual(expected);
      expected.push(add(parent, count));
    }
    expect(parent.children).toEqual(expected);
  });
});
