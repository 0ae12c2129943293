/** The example of ../shared/DESIGN.md, word for word, on both executing backends. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, LocalWorkflow, RandomStatePlugin, ThreadWorkflow } from 'functionfuse';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncrementalSum, minus, pair, sum } from './fixtures/tasks.js';

let store: string;
beforeEach(() => {
  store = mkdtempSync(join(tmpdir(), 'functionfuse-design-'));
});
afterEach(() => rmSync(store, { recursive: true, force: true }));

describe.each([
  ['LocalWorkflow', LocalWorkflow],
  ['ThreadWorkflow', ThreadWorkflow],
] as const)('the design example on %s', (_, Backend) => {
  it('builds, names, stores and runs as documented', async () => {
    const s1 = sum(1, 1);
    const s2 = sum(s1, 1).setName('second');
    const p = pair(s1, s2);
    const m = minus(p.item(0), s2);
    const acc = IncrementalSum(s1);
    const a1 = acc.add(m);
    expect(s1.name).toMatch(/^sum_\d{4}$/);
    expect(s2.name).toBe('second');
    const wf = new Backend([m, a1], { workflowName: 'demo', threads: 2 });
    wf.setStorage(new FileStorage(store));
    wf.query(/sum_.*/).setPlugin(new RandomStatePlugin({ seed: 42 }));
    try {
      const [rm, ra] = await wf.run();
      expect([rm, ra]).toEqual([2, 4]);
      // The stateful nodes are not stored; every task node is.
      expect(await new FileStorage(store).listTasks('demo')).toEqual(
        [s1.name, 'second', p.name, m.name].sort(),
      );
      expect(await wf.run()).toEqual([2, 4]);
    } finally {
      if (wf instanceof ThreadWorkflow) await wf.close();
    }
  });
});
