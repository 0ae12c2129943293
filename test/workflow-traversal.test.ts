import { LocalWorkflow, type Node, task } from 'functionfuse';
import { describe, expect, it } from 'vitest';

const join = task(function traversalJoin(...parts: unknown[]) {
  return parts.length;
});

function names(nodes: Iterable<[string, Node]> | readonly Node[]): string[] {
  return [...nodes].map((entry) => (Array.isArray(entry) ? entry[0] : (entry as Node).name));
}

describe('canonical order and node set', () => {
  it('yields waves from the roots, ties in creation order, identically every time', () => {
    //   a   b      wave 0
    //   |\ /
    //   | c        wave 1
    //   |/ \
    //   d   e      wave 2 (d created after e)
    const b = join().setName('b');
    const a = join().setName('a');
    const c = join(a, b).setName('c');
    const e = join(c).setName('e');
    const d = join(a, c).setName('d');
    const wf = new LocalWorkflow([d, e], { workflowName: 'order' });
    const expected = ['b', 'a', 'c', 'e', 'd'];
    expect(names(wf.graphTraversal())).toEqual(expected);
    expect(names(wf.graphTraversal())).toEqual(expected);
    expect(names(wf.findNodes())).toEqual(expected);
    expect(wf.roots.map((node) => node.name)).toEqual(['b', 'a']);
  });

  it('places a node after its deepest parent (its wave is the longest path to it)', () => {
    const root = join().setName('root');
    const mid = join(root).setName('mid');
    const deep = join(mid).setName('deep');
    const shortcut = join(root, deep).setName('shortcut');
    const wf = new LocalWorkflow(shortcut, { workflowName: 'waves' });
    expect(names(wf.graphTraversal())).toEqual(['root', 'mid', 'deep', 'shortcut']);
  });

  it('includes nodes created after the workflow when they descend from its roots', async () => {
    const root = join().setName('late-root');
    const wf = new LocalWorkflow(root, { workflowName: 'late' });
    expect(names(wf.findNodes())).toEqual(['late-root']);
    join(root).setName('late-child');
    expect(names(wf.findNodes())).toEqual(['late-root', 'late-child']);
    expect(await wf.run()).toBe(0);
  });

  it('gives the same order to two workflows built over the same nodes', () => {
    const r = join().setName('r');
    const x = join(r).setName('x');
    const y = join(r).setName('y');
    const first = new LocalWorkflow(x, { workflowName: 'one' });
    const second = new LocalWorkflow(y, { workflowName: 'two' });
    expect(names(first.graphTraversal())).toEqual(['r', 'x', 'y']);
    expect(names(second.graphTraversal())).toEqual(['r', 'x', 'y']);
  });
});

describe('patterns', () => {
  const s1 = join().setName('First sum');
  const s2 = join(s1).setName('Second sum');
  const m = join(s1, s2).setName('Single minus');
  const wf = new LocalWorkflow(m, { workflowName: 'patterns' });

  it("matches the original's pattern test (regular expression, whole name)", () => {
    expect(names(wf.findNodes('^.*sum.*$'))).toEqual(['First sum', 'Second sum']);
    expect(names(wf.findNodes('^.*minus.*$'))).toEqual(['Single minus']);
  });

  it('anchors a string or RegExp to the whole name', () => {
    expect(names(wf.findNodes('sum'))).toEqual([]);
    expect(names(wf.findNodes('.*sum'))).toEqual(['First sum', 'Second sum']);
    expect(names(wf.findNodes(/First/))).toEqual([]);
    expect(names(wf.findNodes(/first.*/i))).toEqual(['First sum']);
    expect(names(wf.findNodes(/Single minus/g))).toEqual(['Single minus']);
    expect(names(wf.findNodes('Single minus'))).toEqual(['Single minus']);
  });

  it('returns a Query with the matched nodes', () => {
    expect(names(wf.query('.*sum').nodes)).toEqual(['First sum', 'Second sum']);
    expect(wf.query().nodes.length).toBe(3);
  });

  it('refuses a pattern that is neither a string nor a RegExp, naming it', () => {
    expect(() => wf.findNodes(3 as unknown as string)).toThrow(
      new TypeError('Expected `pattern` to be a string or a RegExp, got 3 (number)'),
    );
  });

  it('refuses a string that is no regular expression, naming it and saying how to escape', () => {
    const refusal = (pattern: string) => {
      try {
        wf.query(pattern);
      } catch (error) {
        return error as TypeError;
      }
      throw new Error('expected a refusal');
    };
    const error = refusal('First sum [v2');
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(
      /^Expected `pattern` to be a regular expression source matched against whole node names, got "First sum \[v2" \(string\): Invalid regular expression: .*Escape characters such as \( \[ \{ \* \+ \? \. with a backslash to match them as they are\.$/,
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('workflow options', () => {
  const node = join();

  it('refuses a missing or empty workflowName, naming the option and value', () => {
    expect(() => new LocalWorkflow(node, {} as { workflowName: string })).toThrow(
      new TypeError('Expected `workflowName` to be a non-empty string, got undefined'),
    );
    expect(() => new LocalWorkflow(node, { workflowName: '' })).toThrow(
      new TypeError('Expected `workflowName` to be a non-empty string, got "" (string)'),
    );
  });

  it('refuses leaves that are not nodes or items', () => {
    expect(() => new LocalWorkflow([] as unknown as [Node], { workflowName: 'x' })).toThrow(
      /Expected `leaves` to be a node, an item, or a non-empty array of them, got an array of length 0/,
    );
    expect(() => new LocalWorkflow([node, 3] as unknown as [Node], { workflowName: 'x' })).toThrow(
      new TypeError('Expected `leaves[1]` to be a node or an item, got 3 (number)'),
    );
  });

  it('refuses unknown or badly typed node options and non-plugins', () => {
    const wf = new LocalWorkflow(node, { workflowName: 'options' });
    expect(() => wf.query().setOptions({ priority: Number.NaN })).toThrow(
      new TypeError('Expected `priority` to be a finite number, got NaN (number)'),
    );
    expect(() => wf.query().setOptions({ priorty: 1 } as never)).toThrow(
      new TypeError(
        'Unknown node option `priorty` (did you mean `priority`?); known options: priority, retries, retryDelay, timeout, shareResult',
      ),
    );
    expect(() => wf.query().setPlugin({} as never)).toThrow(
      /Expected `plugin` to be a Plugin \(beginRun, localInitialize, remoteInitialize\), got an object/,
    );
    expect(() => wf.setStorage({} as never)).toThrow(/Expected `storage` to implement the Storage interface/);
  });
});

describe('bad input to items and events', () => {
  it('refuses an item key that is not a string, number or symbol', () => {
    const node = join();
    expect(() => node.item({} as never)).toThrow(
      new TypeError(
        'Expected `key` of item() to be a string, a number or a symbol, got [object Object] (object)',
      ),
    );
  });

  it('refuses an unknown event name or a listener that is not a function', () => {
    const wf = new LocalWorkflow(join(), { workflowName: 'events' });
    expect(() => wf.on('node-done' as never, () => {})).toThrow(
      /^Expected an event name \(run-started, .*\), got "node-done" \(string\)$/,
    );
    expect(() => wf.on('node-finished', 3 as never)).toThrow(
      new TypeError('Expected `listener` to be a function, got number'),
    );
  });
});
