import { LocalWorkflow, type Node, RandomStatePlugin, ThreadWorkflow } from 'functionfuse';
import { describe, expect, it } from 'vitest';
import { simulate, sum } from './fixtures/tasks.js';
import { captureWarnings } from './support/warnings.js';

/** A seeded Monte Carlo-like graph: uneven node sizes, so threads finish out of order. */
function buildGraph(): Node<number> {
  const layer = Array.from({ length: 12 }, (_, index) => simulate((index % 4) * 2_000 + 10, index));
  const pairs = Array.from({ length: 6 }, (_, index) =>
    sum(layer[index * 2] as Node<number>, layer[index * 2 + 1] as Node<number>),
  );
  return pairs.reduce((acc, node) => sum(acc, simulate(50, node)));
}

describe('RandomStatePlugin determinism across backends', () => {
  it('gives bit-identical results on LocalWorkflow and on 1, 2 and 4 threads, run after run', async () => {
    const leaf = buildGraph();
    const local = new LocalWorkflow(leaf, { workflowName: 'mc' });
    local.query('simulate_.*').setPlugin(new RandomStatePlugin({ seed: 1234 }));
    const expected = await local.run();
    expect(await local.run()).toBe(expected);
    for (const threads of [1, 2, 4]) {
      // More threads than cores is the point here: the warning it gives is expected, not printed.
      const warnings = captureWarnings();
      const wf = new ThreadWorkflow(leaf, { workflowName: 'mc', threads });
      warnings.restore();
      for (const warning of warnings.warnings) expect(warning.code).toBe('FUNCTIONFUSE_THREADS_ABOVE_CORES');
      wf.query('simulate_.*').setPlugin(new RandomStatePlugin({ seed: 1234 }));
      try {
        expect(await wf.run()).toBe(expected);
        expect(await wf.run()).toBe(expected);
      } finally {
        await wf.close();
      }
    }
  });
});

describe('RandomStatePlugin options', () => {
  it.each([
    [{ seed: 'a' }, 'Expected `seed` to be an integer, got "a" (string)'],
    [{ seed: 1.5 }, 'Expected `seed` to be an integer, got 1.5 (number)'],
    [{ seed: 1, min: undefined, max: null }, 'Expected `max` to be an integer, got null'],
  ])('refuses %j, quoting the value at fault', (options, message) => {
    expect(() => new RandomStatePlugin(options as never)).toThrow(new TypeError(message));
  });
});
