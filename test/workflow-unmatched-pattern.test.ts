import { LocalWorkflow, RandomStatePlugin, ThreadWorkflow, task } from 'functionfuse';
import { afterEach, describe, expect, it } from 'vitest';
import { describeUnmatchedPattern } from '../src/workflow/unmatched-pattern.js';
import { sum } from './fixtures/tasks.js';
import { type CapturedWarning, captureWarnings, type WarningCapture } from './support/warnings.js';

const produce = task(function unmatchedProduce(n: number) {
  return n;
});

function graph(): LocalWorkflow {
  const load = produce(1).setName('load');
  const sum = produce(2).setName('sum_0000');
  return new LocalWorkflow([load, sum], { workflowName: 'typo' });
}

function unmatched(message: string): CapturedWarning {
  return { type: 'FunctionFuseWarning', code: 'FUNCTIONFUSE_UNMATCHED_PATTERN', message };
}

describe('a pattern that matches no node says so instead of setting nothing silently', () => {
  let captured: WarningCapture | undefined;
  afterEach(() => captured?.restore());

  it('warns for setOptions, setPlugin and logNodes, naming the call, the workflow and the likely name', () => {
    const wf = graph();
    captured = captureWarnings();
    wf.query('laod').setOptions({ retries: 2 });
    wf.query(/lod/).setPlugin(new RandomStatePlugin({ seed: 1 }));
    wf.logNodes('sum');
    expect(captured.warnings).toEqual([
      unmatched(
        'query(\'laod\').setOptions() matched no node of workflow "typo", so it set nothing. Did you mean "load"?',
      ),
      unmatched(
        'query(/lod/).setPlugin() matched no node of workflow "typo", so it set nothing. Its names: "load", "sum_0000".',
      ),
      unmatched(
        'logNodes(\'sum\') matched no node of workflow "typo", so it set nothing. It matches part of "sum_0000": ' +
          "a pattern matches whole names, so write '.*sum.*' (or the part before or after) to match those.",
      ),
    ]);
  });

  it('sets nothing on an empty query, and warns on every backend (one query class)', async () => {
    const source = sum(1, 2).setName('source');
    await using wf = new ThreadWorkflow(source, { workflowName: 'threads-typo', threads: 1 });
    captured = captureWarnings();
    wf.query('sorce').setOptions({ shareResult: true });
    expect(captured.warnings.map((warning) => warning.message)).toEqual([
      'query(\'sorce\').setOptions() matched no node of workflow "threads-typo", so it set nothing. Did you mean "source"?',
    ]);
    captured.restore();
    expect(await wf.run()).toBe(3);
  });

  it('stays quiet when the pattern matches, and for query() with no pattern', () => {
    const wf = graph();
    captured = captureWarnings();
    wf.query('load').setOptions({ priority: 1 });
    wf.query('sum_.*').setPlugin(new RandomStatePlugin({ seed: 1 }));
    wf.query().setOptions({ retries: 1 });
    wf.logNodes(/load|sum_0000/);
    expect(captured.warnings).toEqual([]);
  });

  it('widens a pattern as it was written, flags and alternation kept', () => {
    const names = ['train_model', 'test_model'];
    const message = describeUnmatchedPattern(
      'w',
      /MODEL|x/i,
      (shown) => `query(${shown}).setOptions()`,
      names,
    );
    expect(message).toBe(
      'query(/MODEL|x/i).setOptions() matched no node of workflow "w", so it set nothing. It matches part of ' +
        '"train_model", "test_model": a pattern matches whole names, so write /.*(?:MODEL|x).*/i ' +
        '(or the part before or after) to match those.',
    );
  });

  it('lists five names of a large graph and says how many more', () => {
    const names = Array.from({ length: 8 }, (_, index) => `node_${index}`);
    const message = describeUnmatchedPattern('w', /^zzz$/, (shown) => `logNodes(${shown})`, names);
    expect(message).toBe(
      'logNodes(/^zzz$/) matched no node of workflow "w", so it set nothing. ' +
        'Its names: "node_0", "node_1", "node_2", "node_3", "node_4" and 3 more.',
    );
  });
});
