import { actor, LocalWorkflow, task } from 'functionfuse';
import { describe, expect, it } from 'vitest';

// Tasks defined here have base names no other test file uses, so counters start at 0000.
const nameProbe = task(function nameProbe(value: number) {
  return value;
});
const Tally = actor(
  class Tally {
    total = 0;
    add(value: number) {
      this.total += value;
      return this.total;
    }
  },
);

describe('node names', () => {
  it('defaults to <function name>_<4-digit counter> per function name', () => {
    expect(nameProbe(1).name).toBe('nameProbe_0000');
    expect(nameProbe(2).name).toBe('nameProbe_0001');
  });

  it('names actors <Class>_NNNN and their calls <Class>.<method>_NNNN', () => {
    const tally = Tally();
    expect(tally.name).toBe('Tally_0000');
    expect(tally.node.name).toBe('Tally_0000');
    expect(tally.add(1).name).toBe('Tally.add_0000');
    expect(tally.add(2).name).toBe('Tally.add_0001');
    expect(tally.setName('my tally')).toBe(tally);
    expect(tally.name).toBe('my tally');
  });

  it('setName renames the node and returns it', () => {
    const node = nameProbe(3);
    expect(node.setName('three')).toBe(node);
    expect(node.name).toBe('three');
  });

  it('refuses an empty or non-string name, showing the value', () => {
    expect(() => nameProbe(1).setName('')).toThrow(
      new TypeError('Expected `name` to be a non-empty string, got "" (string)'),
    );
    expect(() => nameProbe(1).setName(5 as unknown as string)).toThrow(
      new TypeError('Expected `name` to be a non-empty string, got 5 (number)'),
    );
  });

  it('refuses an anonymous function without a name option, and accepts one with it', () => {
    expect(() => task((value: number) => value)).toThrow(/task\(\) needs a name: the function is anonymous/);
    const named = task((value: number) => value, { name: 'renamedProbe' });
    expect(named(1).name).toBe('renamedProbe_0000');
    expect(() => actor(class {})).toThrow(/actor\(\) needs a name: the class is anonymous/);
  });

  it('refuses an actor whose method the handle would hide (node, name, setName), naming it', () => {
    expect(() =>
      actor(
        class Person {
          name() {
            return 'Ada';
          }
          setName(_name: string) {}
        },
      ),
    ).toThrow(
      new TypeError(
        'Actor Person has methods named "name", "setName", which its handle keeps for itself (handle.node, ' +
          'handle.name, handle.setName): the method could not be called. Rename it.',
      ),
    );
    expect(() =>
      actor(
        class Graph {
          node() {}
        },
      ),
    ).toThrow(/^Actor Graph has a method named "node", which its handle keeps for itself/);
  });

  it('refuses a non-function given to task()', () => {
    expect(() => task(3 as unknown as () => void)).toThrow(
      new TypeError('Expected `fn` to be a function, got number'),
    );
  });

  it('reports a duplicate name with both nodes described', () => {
    const a = nameProbe(1).setName('same');
    const b = nameProbe(a).setName('same');
    expect(() => new LocalWorkflow(b, { workflowName: 'dupes' }).findNodes()).toThrow(
      'Two nodes of the workflow are named "same": "same" (task nameProbe) and "same" (task nameProbe). ' +
        'Give one of them another name with setName().',
    );
  });

  it('does not run the function when a node is built', () => {
    let calls = 0;
    const counted = task(function countedProbe() {
      calls++;
      return calls;
    });
    counted();
    counted();
    expect(calls).toBe(0);
  });
});
