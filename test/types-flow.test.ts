import { LocalWorkflow, type Node, type NodeItem, task } from 'functionfuse';
import { describe, expectTypeOf, it } from 'vitest';
import { asyncDouble, IncrementalSum, pair, sum, total } from './fixtures/tasks.js';

// These tests are checked by `npm run typecheck` (tsc); at run time they only build graphs.
const shout = task(function shout(text: string) {
  return text.toUpperCase();
});

describe('types flow through the graph', () => {
  it('gives a node the awaited return type of its function', () => {
    expectTypeOf(sum(1, 2)).toEqualTypeOf<Node<number>>();
    expectTypeOf(asyncDouble(1)).toEqualTypeOf<Node<number>>();
    expectTypeOf(shout('a')).toEqualTypeOf<Node<string>>();
  });

  it('types items by key, again and again', () => {
    const p = pair(1, 2);
    expectTypeOf(p.item(0)).toEqualTypeOf<NodeItem<number>>();
    expectTypeOf(sum(p.item(0), p.item(1))).toEqualTypeOf<Node<number>>();
  });

  it('accepts nodes and items where values are expected, nested in arrays and objects', () => {
    const s = sum(1, 2);
    expectTypeOf(total([s, 1, pair(1, 1).item(0)], { offset: s, scale: 2 })).toEqualTypeOf<Node<number>>();
  });

  it('refuses a node of the wrong type', () => {
    const text = shout('x');
    // @ts-expect-error a Node<string> is not a number
    sum(text, 1);
    // @ts-expect-error an object field of the wrong type
    total([1], { offset: text, scale: 1 });
    // @ts-expect-error too few arguments
    sum(1);
  });

  it('types run() by its leaves: one value, or a tuple', () => {
    const s = sum(1, 2);
    const t = shout('a');
    expectTypeOf(new LocalWorkflow(s, { workflowName: 'a' }).run()).resolves.toEqualTypeOf<number>();
    expectTypeOf(new LocalWorkflow([s, t], { workflowName: 'b' }).run()).resolves.toEqualTypeOf<
      [number, string]
    >();
    expectTypeOf(new LocalWorkflow([pair(1, 2).item(1)], { workflowName: 'c' }).run()).resolves.toEqualTypeOf<
      [number]
    >();
  });

  it('types actor handles: methods build nodes of their return type', () => {
    const acc = IncrementalSum(sum(1, 1));
    expectTypeOf(acc.add(3)).toEqualTypeOf<Node<number>>();
    expectTypeOf(acc.setName('acc')).toEqualTypeOf(acc);
    // @ts-expect-error add takes a number
    acc.add('three');
  });
});
