// GraphWorkflow and the drawing functions are not exported from the package yet: the graph is
// built with the same copy of the code (../src), so `instanceof Node` holds.

import { describe, expect, it } from 'vitest';
import { GraphWorkflow } from '../src/backends/graph-workflow.js';
import { dotLabel, toDot } from '../src/graph-drawing/dot.js';
import { describeGraph, formatItemPath } from '../src/graph-drawing/drawing-model.js';
import { mermaidLabel, toMermaid } from '../src/graph-drawing/mermaid.js';
import { actor, type Node, task } from '../src/index.js';

const sum = task(function sum(a: number, b: number) {
  return a + b;
});
const minus = task(function minus(a: number, b: number) {
  return a - b;
});
const pair = task(function pair(a: number, b: number) {
  return [a + b, b] as const;
});
const stats = task(function stats(values: number[]) {
  const mean = values.reduce((acc, value) => acc + value, 0) / values.length;
  return { mean, grid: [values, values.map((value) => value * 10)] };
});
const combine = task(function combine(input: { mean: number; picks: number[] }) {
  return input.mean + input.picks.length;
});
const Accumulator = actor(
  class Accumulator {
    constructor(public total: number) {}
    add(value: number) {
      this.total += value;
      return this.total;
    }
  },
);

/** The original's basic example: node1 = 1 + 1, node2 = node1 + 1, node3 = node1 - node2. */
function basicGraph(): GraphWorkflow<Node<number>> {
  const one = 1;
  const node1 = sum(one, one).setName('node1');
  const node2 = sum(node1, one).setName('node2');
  const node3 = minus(node1, node2).setName('node3');
  return new GraphWorkflow(node3, { workflowName: 'basic', docPath: 'unused' });
}

describe('DOT and Mermaid text', () => {
  it('draws the basic graph exactly', () => {
    const wf = basicGraph();
    expect(toDot(wf)).toBe(
      [
        'digraph workflow {',
        '  graph [rankdir=TB, fontname="Helvetica", label="basic", labelloc=t];',
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=12];',
        '  edge [fontname="Helvetica", fontsize=10];',
        '  n0 [label="node1\\nsum"];',
        '  n1 [label="node2\\nsum"];',
        '  n2 [label="node3\\nminus"];',
        '  n0 -> n1;',
        '  n0 -> n2;',
        '  n1 -> n2;',
        '}',
        '',
      ].join('\n'),
    );
    expect(toMermaid(wf)).toBe(
      [
        'flowchart TD',
        '  n0("node1<br>sum")',
        '  n1("node2<br>sum")',
        '  n2("node3<br>minus")',
        '  n0 --> n1',
        '  n0 --> n2',
        '  n1 --> n2',
        '',
      ].join('\n'),
    );
  });

  it('draws the same text from the workflow and from its nodes in canonical order', () => {
    const wf = basicGraph();
    const nodes = [...wf.graphTraversal()].map(([, node]) => node);
    expect(toDot(nodes, { title: 'basic' })).toBe(toDot(wf));
    expect(toMermaid(nodes)).toBe(toMermaid(wf));
    // Without a title, a list of nodes draws no caption.
    expect(toDot(nodes)).not.toContain('label="basic"');
  });

  it('labels item edges, follows refs nested in arrays and objects, draws actors apart, ranks by wave', () => {
    const summary = stats([1, 2, 3]).setName('summary');
    const both = pair(1, 2).setName('both');
    const combined = combine({
      mean: summary.item('mean'),
      picks: [both.item(0), summary.item('grid').item(1).item(2)],
    }).setName('combined');
    const accumulator = Accumulator(summary.item('mean')).setName('acc');
    const firstAdd = accumulator.add(both.item(1)).setName('first add');
    const secondAdd = accumulator.add(2).setName('second add');
    const wf = new GraphWorkflow([combined, secondAdd, firstAdd], { workflowName: 'rich', docPath: 'x' });

    expect(toDot(wf)).toBe(
      [
        'digraph workflow {',
        '  graph [rankdir=TB, fontname="Helvetica", label="rich", labelloc=t];',
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=12];',
        '  edge [fontname="Helvetica", fontsize=10];',
        '  n0 [label="summary\\nstats"];',
        '  n1 [label="both\\npair"];',
        '  n2 [label="combined\\ncombine"];',
        '  n3 [label="acc\\nnew Accumulator", shape=hexagon];',
        '  n4 [label="first add\\nAccumulator.add", shape=hexagon];',
        '  n5 [label="second add\\nAccumulator.add", shape=hexagon];',
        '  { rank=same; n0; n1; }',
        '  { rank=same; n2; n3; }',
        '  n0 -> n2 [label=".mean, .grid[1][2]"];',
        '  n1 -> n2 [label="[0]"];',
        '  n0 -> n3 [label=".mean"];',
        '  n3 -> n4 [style=dashed];',
        '  n1 -> n4 [label="[1]"];',
        '  n3 -> n5 [style=dashed];',
        '  n4 -> n5 [style=dashed];',
        '}',
        '',
      ].join('\n'),
    );
    expect(toMermaid(wf)).toBe(
      [
        'flowchart TD',
        '  n0("summary<br>stats")',
        '  n1("both<br>pair")',
        '  n2("combined<br>combine")',
        '  n3{{"acc<br>new Accumulator"}}',
        '  n4{{"first add<br>Accumulator.add"}}',
        '  n5{{"second add<br>Accumulator.add"}}',
        '  n0 -->|".mean, .grid[1][2]"| n2',
        '  n1 -->|"[0]"| n2',
        '  n0 -->|".mean"| n3',
        '  n3 -.-> n4',
        '  n1 -->|"[1]"| n4',
        '  n3 -.-> n5',
        '  n4 -.-> n5',
        '',
      ].join('\n'),
    );
    expect(describeGraph(wf).waves.map((wave) => wave.map((drawn) => drawn.node.name))).toEqual([
      ['summary', 'both'],
      ['combined', 'acc'],
      ['first add'],
      ['second add'],
    ]);
  });

  it('colours nodes through the nodeClass hook, and refuses an unknown outcome', () => {
    const wf = basicGraph();
    const outcomes = new Map([
      ['node1', 'cached'],
      ['node2', 'failed'],
    ] as const);
    const nodeClass = (node: Node) => outcomes.get(node.name as 'node1' | 'node2');
    const dot = toDot(wf, { nodeClass });
    expect(dot).toContain(
      '  n0 [label="node1\\nsum", class="cached", style="rounded,filled", fillcolor="#dbe9f9", color="#1f5fa8"];',
    );
    expect(dot).toContain('  n2 [label="node3\\nminus"];');
    const mermaid = toMermaid(wf, { nodeClass });
    expect(mermaid).toContain('  classDef cached fill:#dbe9f9,stroke:#1f5fa8\n  class n0 cached\n');
    expect(mermaid).toContain('  classDef failed fill:#f9d6d5,stroke:#c62828\n  class n1 failed\n');
    expect(mermaid).not.toContain('classDef ran');

    const hostile = () => 'ran"; evil' as never;
    expect(() => toDot(wf, { nodeClass: hostile })).toThrow(
      /Expected `nodeClass` to return one of 'ran', 'cached', 'failed', 'skipped', 'cancelled' or undefined for node "node1", got "ran\\"; evil" \(string\)/,
    );
  });

  it('draws a part of a workflow without the parents left out', () => {
    const wf = basicGraph();
    const part = wf.findNodes(/node[23]/);
    expect(toMermaid(part)).toBe(
      ['flowchart TD', '  n0("node2<br>sum")', '  n1("node3<br>minus")', '  n0 --> n1', ''].join('\n'),
    );
  });

  it('refuses what is not a workflow or an array of nodes', () => {
    expect(() => toDot('graph' as never)).toThrow(
      'Expected the graph to draw to be a workflow or an array of nodes, got "graph" (string)',
    );
    expect(() => toMermaid([1] as never)).toThrow('Expected `nodes[0]` to be a node, got 1 (number)');
  });
});

describe('escaping names', () => {
  it('writes DOT labels that Graphviz shows as the name, whatever it holds', () => {
    expect(dotLabel(['a "quoted" name'])).toBe('"a \\"quoted\\" name"');
    expect(dotLabel(['line\nbreak'])).toBe('"line\\nbreak"');
    expect(dotLabel(['crlf\r\nend'])).toBe('"crlf\\nend"');
    // `\N` would be Graphviz's "node name" escape; `&amp;` would be read as an entity.
    expect(dotLabel(['back\\slash \\N'])).toBe('"back\\\\slash \\\\N"');
    expect(dotLabel(['a&amp;b <i>'])).toBe('"a&amp;amp;b <i>"');
    expect(dotLabel(['ends with \\'])).toBe('"ends with \\\\"');
    expect(dotLabel(['é 😀 中文'])).toBe('"é 😀 中文"');
    expect(dotLabel(['bell\u0007 nul\u0000'])).toBe('"bell\u2407 nul\u2400"');
    expect(dotLabel(['lone \ud800'])).toBe('"lone \ufffd"');
  });

  it('writes Mermaid labels with entity codes for anything Mermaid or HTML could read', () => {
    expect(mermaidLabel(['a "quoted" name'])).toBe('"a #34;quoted#34; name"');
    expect(mermaidLabel(['line\nbreak'])).toBe('"line<br>break"');
    expect(mermaidLabel(['<br> & #35; `md` |x|'])).toBe(
      '"#60;br#62; #38; #35;35#59; #96;md#96; #124;x#124;"',
    );
    expect(mermaidLabel(['../../etc/passwd'])).toBe('"../../etc/passwd"');
    expect(mermaidLabel(['é 😀 中文'])).toBe('"é #128512; 中文"');
    expect(mermaidLabel(['bell\u0007'])).toBe('"bell#9223;"');
    // Mermaid strips the last `;` of a line like `style ...:...#...;` before parsing: no `:` may pass.
    expect(mermaidLabel(['style n0 fill:#f00;'])).toBe('"style n0 fill#58;#35;f00#59;"');
  });

  it('gives every node an id of its own, so no name reaches a DOT or Mermaid identifier', () => {
    const hostile = sum(1, 1).setName('x"]; n9 -> n0; end %%');
    const wf = new GraphWorkflow(hostile, { workflowName: 'a "b"', docPath: 'x' });
    const dot = toDot(wf);
    expect(dot).toContain('  n0 [label="x\\"]; n9 -> n0; end %%\\nsum"];');
    expect(dot).toContain('label="a \\"b\\""');
    expect(toMermaid(wf)).toContain('  n0("x#34;]#59; n9 -#62; n0#59; end #37;#37;<br>sum")');
  });

  it('formats item paths as JavaScript accesses', () => {
    expect(formatItemPath([0, 'mean', 'two words', 'x"y', Symbol('s')])).toBe(
      '[0].mean["two words"]["x\\"y"][Symbol(s)]',
    );
  });
});
