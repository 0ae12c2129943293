// GraphWorkflow is not exported from the package yet: the graph is built with the same copy of
// the code (../src), so `instanceof` checks inside the workflow hold.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphWorkflow } from '../src/backends/graph-workflow.js';
import { docFileStem } from '../src/graph-drawing/doc-file-name.js';
import { toDot } from '../src/graph-drawing/dot.js';
import { toMermaid } from '../src/graph-drawing/mermaid.js';
import { actor, type Node, task } from '../src/index.js';
import { svgEdgeLabels, svgNodeClasses, svgNodeLabels, xmlProblems } from './fixtures/graph-svg.js';

const calls: string[] = [];
const sum = task(function sum(a: number, b: number) {
  calls.push('sum');
  return a + b;
});
const minus = task(function minus(a: number, b: number) {
  calls.push('minus');
  return a - b;
});
const lookup = task(function lookup() {
  return {} as Record<string, number>;
});
const Store = actor(
  class Store {
    put(value: number) {
      calls.push('put');
      return value;
    }
  },
);

let scratch: string;

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ff-graph-'));
  calls.length = 0;
});

afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Every file under `folder`, as paths relative to it. */
async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort();
}

function basicGraph(): Node<number> {
  const node1 = sum(1, 1).setName('node1');
  const node2 = sum(node1, 1).setName('node2');
  return minus(node1, node2).setName('node3');
}

describe('GraphWorkflow.run()', () => {
  it('writes .dot, .svg and .mmd into docPath (created if missing), runs nothing, returns absolute paths', async () => {
    const docPath = join(scratch, 'docs', 'graphs');
    const wf = new GraphWorkflow(basicGraph(), { workflowName: 'basic', docPath });
    const files = await wf.run();

    expect(files).toEqual({
      dot: join(docPath, 'basic.dot'),
      svg: join(docPath, 'basic.svg'),
      mermaid: join(docPath, 'basic.mmd'),
    });
    for (const path of Object.values(files)) expect(isAbsolute(path)).toBe(true);
    expect(await listFiles(scratch)).toEqual([
      join('docs', 'graphs', 'basic.dot'),
      join('docs', 'graphs', 'basic.mmd'),
      join('docs', 'graphs', 'basic.svg'),
    ]);
    expect(calls).toEqual([]);

    const nodes = [...wf.graphTraversal()].map(([, node]) => node);
    expect(await readFile(files.dot, 'utf8')).toBe(toDot(nodes, { title: 'basic' }));
    expect(await readFile(files.mermaid, 'utf8')).toBe(toMermaid(nodes));

    const svg = await readFile(files.svg, 'utf8');
    expect(svg.startsWith('<?xml') || svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('</svg>');
    expect(xmlProblems(svg)).toEqual([]);
    expect(svgNodeLabels(svg)).toEqual(
      new Map([
        ['n0', ['node1', 'sum']],
        ['n1', ['node2', 'sum']],
        ['n2', ['node3', 'minus']],
      ]),
    );
    expect((svg.match(/class="edge"/g) ?? []).length).toBe(3);
  });

  it('draws hostile node names intact in every file', async () => {
    const names = [
      'a "quoted" name',
      'line\nbreak',
      '../../etc/passwd',
      'back\\slash \\N \\',
      '<b>bold</b> &amp; #35; `tick`',
      'é 😀 中文',
      'bell\u0007',
      '-- not a comment end -->',
    ];
    let previous: Node<number> | undefined;
    for (const name of names) previous = sum(previous ?? 0, 1).setName(name);
    const docPath = join(scratch, 'out');
    const files = await new GraphWorkflow(previous as Node<number>, {
      workflowName: 'hostile',
      docPath,
    }).run();

    const svg = await readFile(files.svg, 'utf8');
    expect(xmlProblems(svg)).toEqual([]);
    const labels = svgNodeLabels(svg);
    const shown = (name: string) => name.replace('\u0007', '\u2407').split('\n');
    names.forEach((name, index) => {
      expect(labels.get(`n${index}`)).toEqual([...shown(name), 'sum']);
    });

    const dot = await readFile(files.dot, 'utf8');
    // One statement per line: no name broke a line or closed a quoted string early.
    const dotLines = dot.split('\n');
    expect(dotLines).toHaveLength(4 + names.length + (names.length - 1) + 2);
    for (const line of dotLines.slice(4, 4 + names.length)) {
      expect(line).toMatch(/^ {2}n\d+ \[label="(?:[^"\\\n]|\\[^\n])*"\];$/);
    }
    const mermaid = await readFile(files.mermaid, 'utf8');
    expect(mermaid.split('\n')).toHaveLength(1 + names.length + (names.length - 1) + 1);
    for (const line of mermaid.split('\n').slice(1, 1 + names.length)) {
      expect(line).toMatch(/^ {2}n\d+\("[^"]*"\)$/);
    }
    expect(await listFiles(scratch)).toEqual([
      join('out', 'hostile.dot'),
      join('out', 'hostile.mmd'),
      join('out', 'hostile.svg'),
    ]);
  });

  it('labels edges with hostile item keys intact', async () => {
    const table = lookup().setName('table');
    const leaf = sum(table.item('a"b|c -->x'), table.item('style:#f00;')).setName('leaf');
    const files = await new GraphWorkflow(leaf, { workflowName: 'keys', docPath: scratch }).run();
    const svg = await readFile(files.svg, 'utf8');
    expect(xmlProblems(svg)).toEqual([]);
    expect(svgEdgeLabels(svg)).toEqual(new Map([['n0->n1', '["a\\"b|c -->x"], ["style:#f00;"]']]));
    expect(await readFile(files.mermaid, 'utf8')).toContain(
      '  n0 -->|"[#34;a#92;#34;b#124;c --#62;x#34;], [#34;style#58;#35;f00#59;#34;]"| n1\n',
    );
  });

  it('keeps the files in docPath whatever the workflow name', async () => {
    const docPath = join(scratch, 'docs');
    const workflowNames = [
      '../../etc/passwd',
      '/absolute/path',
      'C:\\windows\\system32',
      '..',
      '.hidden',
      'con',
      'Nul.x',
      'a "quoted" name\nwith a break',
      'x'.repeat(300),
    ];
    const stems = new Set<string>();
    for (const workflowName of workflowNames) {
      const files = await new GraphWorkflow(sum(1, 2), { workflowName, docPath }).run();
      for (const path of Object.values(files)) {
        expect(dirname(path)).toBe(docPath);
        const fileName = path.slice(docPath.length + 1);
        expect(fileName).toMatch(/^[A-Za-z0-9_%~-][A-Za-z0-9_.%~-]*\.(dot|svg|mmd)$/);
        expect(fileName.length).toBeLessThanOrEqual(160);
      }
      stems.add(docFileStem(workflowName));
    }
    expect(stems.size).toBe(workflowNames.length);
    expect(docFileStem('../../etc/passwd')).toBe('%2E.%2F..%2Fetc%2Fpasswd');
    expect(docFileStem('con')).toBe('%63on');
    expect(docFileStem('Nul.x')).toBe('%4Eul.x');
    expect(docFileStem('demo-1.2_final')).toBe('demo-1.2_final');
    expect(await listFiles(scratch)).toHaveLength(workflowNames.length * 3);
    expect((await listFiles(scratch)).every((path) => dirname(path) === 'docs')).toBe(true);
  });

  it('draws actors as hexagons and colours nodes through nodeClass', async () => {
    const store = Store().setName('store');
    const put = store.put(sum(1, 1).setName('one')).setName('put one');
    const docPath = join(scratch, 'docs');
    const wf = new GraphWorkflow(put, {
      workflowName: 'coloured',
      docPath,
      nodeClass: (node) => (node.name === 'one' ? 'cached' : node.name === 'put one' ? 'failed' : undefined),
    });
    const { svg: svgPath, mermaid: mermaidPath } = await wf.run();
    const svg = await readFile(svgPath, 'utf8');
    expect(xmlProblems(svg)).toEqual([]);
    const classes = svgNodeClasses(svg);
    const labels = svgNodeLabels(svg);
    const idOf = (name: string) => [...labels].find(([, lines]) => lines[0] === name)?.[0] as string;
    expect(classes.get(idOf('one'))).toBe('node cached');
    expect(classes.get(idOf('put one'))).toBe('node failed');
    expect(classes.get(idOf('store'))).toBe('node');
    expect(labels.get(idOf('store'))).toEqual(['store', 'new Store']);
    expect(labels.get(idOf('put one'))).toEqual(['put one', 'Store.put']);
    // Graphviz draws a hexagon as a six-point polygon; a box would have four (plus the closing point).
    const storeGroup = svg.slice(svg.indexOf(`<title>${idOf('store')}</title>`));
    const points = /<polygon[^>]* points="([^"]*)"/.exec(storeGroup)?.[1]?.trim().split(/\s+/) ?? [];
    expect(points).toHaveLength(7);
    expect(await readFile(mermaidPath, 'utf8')).toContain('{{"store<br>new Store"}}');
  });

  it('gives identical files on a second run, and works with findNodes and query', async () => {
    const docPath = join(scratch, 'again');
    const wf = new GraphWorkflow(basicGraph(), { workflowName: 'again', docPath });
    expect(wf.findNodes('node.*').map((node) => node.name)).toEqual(['node1', 'node2', 'node3']);
    expect(wf.query(/node[12]/).nodes).toHaveLength(2);
    const first = await wf.run();
    const firstTexts = await Promise.all(Object.values(first).map((path) => readFile(path, 'utf8')));
    const second = await wf.run();
    expect(second).toEqual(first);
    expect(await Promise.all(Object.values(second).map((path) => readFile(path, 'utf8')))).toEqual(
      firstTexts,
    );
  });
});

describe('GraphWorkflow options', () => {
  it('refuses a docPath that is not a non-empty string, naming the option and the value', () => {
    const leaf = sum(1, 1);
    const make = (docPath: unknown) =>
      new GraphWorkflow(leaf, { workflowName: 'w', docPath } as { workflowName: string; docPath: string });
    expect(() => make(3)).toThrow(
      new TypeError('Expected `docPath` to be a non-empty string, got 3 (number)'),
    );
    expect(() => make('')).toThrow('Expected `docPath` to be a non-empty string, got "" (string)');
    expect(() => make(undefined)).toThrow('Expected `docPath` to be a non-empty string, got undefined');
    expect(() => make(null)).toThrow('Expected `docPath` to be a non-empty string, got null');
    expect(() => make('a\0b')).toThrow(TypeError);
    expect(() => new GraphWorkflow(leaf, { workflowName: '', docPath: 'x' })).toThrow(/workflowName/);
  });

  it('resolves a relative docPath against the current directory when built', () => {
    const wf = new GraphWorkflow(sum(1, 1), { workflowName: 'w', docPath: 'docs/graphs' });
    expect(wf.docPath).toBe(resolve('docs/graphs'));
  });

  it('refuses a nodeClass that is not a function', () => {
    expect(
      () => new GraphWorkflow(sum(1, 1), { workflowName: 'w', docPath: 'x', nodeClass: 'ran' as never }),
    ).toThrow('Expected `nodeClass` to be a function, got "ran" (string)');
  });
});
