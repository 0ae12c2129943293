import { ThreadWorkflow } from 'functionfuse';
import { describe, expect, it } from 'vitest';
import { record } from './fixtures/tasks.js';
import { ExecutionLog } from './support/backends.js';

describe('ThreadWorkflow scheduling', () => {
  it('dispatches ready nodes by priority, then canonical order', async () => {
    const log = new ExecutionLog();
    const nodes = ['a', 'b', 'c', 'd', 'e'].map((label) => record(log.path, label, 0).setName(label));
    const wf = new ThreadWorkflow(nodes, { workflowName: 'priority', threads: 1 });
    try {
      wf.query('b|d').setOptions({ priority: 5 });
      wf.query('c').setOptions({ priority: 1 });
      await wf.run();
      expect(log.entries()).toEqual(['b', 'd', 'c', 'a', 'e']);
    } finally {
      await wf.close();
      log.remove();
    }
  });

  it('can run again after close(), with a new pool', async () => {
    const log = new ExecutionLog();
    const wf = new ThreadWorkflow(record(log.path, 'x', 7), { workflowName: 'reopen', threads: 1 });
    try {
      expect(await wf.run()).toBe(7);
      await wf.close();
      expect(await wf.run()).toBe(7);
    } finally {
      await wf.close();
      log.remove();
    }
  });
});
