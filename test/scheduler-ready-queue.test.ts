/** Both shapes of the ready queue give the same order: priority first, then index. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createReadyQueue } from '../src/scheduler/ready-queue.js';

/** Applies pushes (node indexes) and shifts (-1) and returns what came out, in order. */
function drain(priorities: Float64Array, operations: readonly number[]): number[] {
  const queue = createReadyQueue(priorities);
  const out: number[] = [];
  const queued = new Set<number>();
  for (const operation of operations) {
    if (operation < 0) {
      const first = queue.shift();
      if (first !== undefined) {
        out.push(first);
        queued.delete(first);
      }
    } else if (!queued.has(operation)) {
      queue.push(operation);
      queued.add(operation);
    }
  }
  expect(queue.size).toBe(queued.size);
  for (let first = queue.shift(); first !== undefined; first = queue.shift()) out.push(first);
  return out;
}

/** The same, by brute force: each shift takes the best of what is queued. */
function expected(priorities: Float64Array, operations: readonly number[]): number[] {
  const queued = new Set<number>();
  const out: number[] = [];
  const best = () =>
    [...queued].sort((a, b) => (priorities[b] as number) - (priorities[a] as number) || a - b)[0];
  for (const operation of operations) {
    if (operation >= 0) queued.add(operation);
    else {
      const first = best();
      if (first !== undefined) {
        out.push(first);
        queued.delete(first);
      }
    }
  }
  for (let first = best(); first !== undefined; first = best()) {
    out.push(first);
    queued.delete(first);
  }
  return out;
}

describe('the ready queue', () => {
  it('gives index order without priorities and priority order with them, whatever the pushes', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 200 })
          .chain((size) =>
            fc.tuple(
              fc.constant(size),
              fc.boolean(),
              fc.array(fc.integer({ min: 0, max: 3 }), { minLength: size, maxLength: size }),
              fc.array(fc.integer({ min: -1, max: size - 1 }), { maxLength: 400 }),
            ),
          ),
        ([size, withPriorities, levels, operations]) => {
          const priorities = withPriorities ? Float64Array.from(levels) : new Float64Array(size);
          expect(drain(priorities, operations)).toEqual(expected(priorities, operations));
        },
      ),
    );
  });
});
