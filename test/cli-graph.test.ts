import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalWorkflow, toDot, toMermaid } from 'functionfuse';
import { afterAll, describe, expect, it } from 'vitest';
import pipeline from './fixtures/cli-pipeline.js';
import { runFunctionfuse } from './fixtures/cli-process.js';

const folder = mkdtempSync(join(tmpdir(), 'functionfuse-cli-graph-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The same graph the CLI builds from the fixture: its nodes have fixed names. */
function fixtureWorkflow(): LocalWorkflow {
  const { leaves, workflowName } = pipeline();
  return new LocalWorkflow(leaves, { workflowName });
}

describe('functionfuse graph', () => {
  it('writes DOT and Mermaid exactly as toDot and toMermaid spell the workflow', async () => {
    const dot = join(folder, 'graph.dot');
    const mermaid = join(folder, 'nested', 'graph.mmd');
    const outcomes = await Promise.all([
      runFunctionfuse(['graph', 'test/fixtures/cli-pipeline.ts', '--out', dot]),
      runFunctionfuse(['graph', 'test/fixtures/cli-pipeline.ts', '--out', mermaid]),
    ]);
    expect(outcomes).toEqual(
      [
        [dot, 'DOT'],
        [mermaid, 'Mermaid'],
      ].map(([file, format]) => ({
        code: 0,
        signal: null,
        stdout: '',
        stderr: `functionfuse: Wrote the graph of workflow "cli-demo" (4 nodes, ${format}) to ${file}.\n`,
      })),
    );
    expect(readFileSync(dot, 'utf8')).toBe(toDot(fixtureWorkflow()));
    expect(readFileSync(mermaid, 'utf8')).toBe(toMermaid(fixtureWorkflow()));
  });

  it('writes an SVG laid out by Graphviz, with a box per node', async () => {
    const svg = join(folder, 'graph.SVG');
    const outcome = await runFunctionfuse(['graph', 'test/fixtures/cli-pipeline.ts', '--out', svg]);
    expect(outcome).toEqual({
      code: 0,
      signal: null,
      stdout: '',
      stderr: `functionfuse: Wrote the graph of workflow "cli-demo" (4 nodes, SVG) to ${svg}.\n`,
    });
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<?xml')).toBe(true);
    expect(text.match(/<g id="node\d+" class="node">/g)).toHaveLength(4);
    for (const name of ['first', 'second', 'ramp', 'summary']) expect(text).toContain(`>${name}</text>`);
  });

  it('colours the drawing by outcome with run --graph', async () => {
    const mermaid = join(folder, 'run.mmd');
    const outcome = await runFunctionfuse([
      'run',
      'test/fixtures/cli-failing.ts',
      '--backend',
      'local',
      '--no-progress',
      '--graph',
      mermaid,
    ]);
    expect(outcome.code).toBe(1);
    const text = readFileSync(mermaid, 'utf8');
    expect(text).toContain('  class n0 ran\n');
    expect(text).toContain('  class n1 failed\n');
  });
});
