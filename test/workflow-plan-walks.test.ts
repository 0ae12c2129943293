import { describe, expect, it } from 'vitest';
import { type Node, task } from '../src/index.js';
import { ExecutionPlan } from '../src/workflow/plan.js';

const join = task(function walkJoin(...values: unknown[]) {
  return values.length;
});
const pair = task(function walkPair(a: unknown, b: unknown) {
  return [a, b];
});

/** A small seeded generator, so a failing graph can be built again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random DAG: each node takes 0 to 3 arguments among earlier nodes (some given twice, some
 * as items, some plain values), one or two arguments often, so both argument layouts occur.
 */
function randomGraph(size: number, next: () => number): Node[] {
  const nodes: Node[] = [];
  for (let index = 0; index < size; index++) {
    const count = index === 0 ? 0 : Math.floor(next() * 4);
    const args: unknown[] = [];
    for (let arg = 0; arg < count; arg++) {
      const draw = next();
      const parent = nodes[Math.floor(next() * nodes.length)] as Node;
      args.push(draw < 0.1 ? 7 : draw < 0.2 ? (parent as Node<unknown[]>).item(0) : parent);
    }
    nodes.push(count === 2 && next() < 0.5 ? pair(args[0], args[1]) : join(...args));
  }
  return nodes;
}

/** The node set and canonical order as the design defines them, with Sets and a sort. */
function referencePlan(leaves: readonly Node[]): { order: Node[]; roots: Node[] } {
  const ancestors = new Set<Node>();
  const up = [...leaves];
  while (up.length > 0) {
    const node = up.pop() as Node;
    if (ancestors.has(node)) continue;
    ancestors.add(node);
    up.push(...node.parents);
  }
  const members = new Set<Node>();
  const down = [...ancestors].filter((node) => node.parents.length === 0);
  while (down.length > 0) {
    const node = down.pop() as Node;
    if (members.has(node)) continue;
    members.add(node);
    down.push(...node.children);
  }
  const needed = [...members];
  while (needed.length > 0) {
    const node = needed.pop() as Node;
    for (const parent of node.parents) {
      if (members.has(parent)) continue;
      members.add(parent);
      needed.push(parent);
    }
  }
  const waves = new Map<Node, number>();
  const waveOf = (node: Node): number => {
    let wave = waves.get(node);
    if (wave === undefined) {
      wave = node.parents.reduce((highest, parent) => Math.max(highest, waveOf(parent) + 1), 0);
      waves.set(node, wave);
    }
    return wave;
  };
  return {
    order: [...members].sort((a, b) => waveOf(a) - waveOf(b) || a.id - b.id),
    roots:
      down.length === 0
        ? [...ancestors].filter((node) => node.parents.length === 0).sort((a, b) => a.id - b.id)
        : [],
  };
}

function expectPlanOf(leaves: readonly Node[]): ExecutionPlan {
  const plan = new ExecutionPlan(leaves);
  const { order: expected, roots } = referencePlan(leaves);
  expect(plan.nodes.map((node) => node.id)).toEqual(expected.map((node) => node.id));
  const place = new Map(expected.map((node, index) => [node, index]));
  expect(plan.parentIndexes.map((parents) => [...parents])).toEqual(
    expected.map((node) => node.parents.map((parent) => place.get(parent))),
  );
  expect(plan.childIndexes.map((children) => [...children])).toEqual(
    expected.map((node) =>
      node.children.filter((child) => place.has(child)).map((child) => place.get(child)),
    ),
  );
  expect(plan.parentlessCount).toBe(expected.filter((node) => node.parents.length === 0).length);
  expect(plan.roots).toEqual(roots);
  expect(plan.nodes.every((node, index) => plan.indexOf.get(node) === index)).toBe(true);
  return plan;
}

describe('the walks that find a plan', () => {
  it('give the node set and canonical order of the definition, on random graphs and leaves', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const nodes = randomGraph(60, next);
      // Some leaves only: descendants of their roots that no leaf needs, and their ancestors.
      const leaves = nodes.filter(() => next() < 0.1);
      if (leaves.length === 0) leaves.push(nodes[nodes.length - 1] as Node);
      expectPlanOf(leaves);
      expectPlanOf([nodes[nodes.length - 1] as Node]);
    }
  });

  it('keeps a graph built wave after wave in creation order, and one built otherwise sorted', () => {
    const layer = [join(), join(), join()];
    const second = [pair(layer[0], layer[1]), pair(layer[1], layer[2]), join(layer[2])];
    const third = [pair(second[0], second[2]), join(second[1], second[0], second[2])];
    const byWaves = expectPlanOf(third);
    expect(byWaves.nodes).toEqual([...layer, ...second, ...third]);
    const late = join(); // created after wave 2, in wave 0
    const last = pair(late, third[0]);
    const sorted = expectPlanOf([last, third[1] as Node]);
    expect(sorted.nodes).toEqual([...layer, late, ...second, ...third, last]);
  });
});
