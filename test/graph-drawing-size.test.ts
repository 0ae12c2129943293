import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphDrawingError, GraphWorkflow, type Node, task } from 'functionfuse';
import { describe, expect, it } from 'vitest';

const step = task(function sizeStep(value: number) {
  return value + 1;
});

describe('a drawing too large to lay out', () => {
  it('says so plainly, naming the node count and suggesting DOT or Mermaid', async () => {
    let last: Node<number> = step(0);
    for (let index = 1; index < 30_000; index++) last = step(last);
    const docPath = await mkdtemp(join(tmpdir(), 'functionfuse-size-'));
    try {
      const error = await new GraphWorkflow(last, { workflowName: 'chain', docPath })
        .run()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GraphDrawingError);
      expect((error as Error).message).toBe(
        'The graph has 30,000 nodes, too large for Graphviz to lay out as SVG: it ran out of stack ' +
          '(Maximum call stack size exceeded). Draw it as DOT or Mermaid instead, which need no layout: ' +
          'toDot() or toMermaid(), or `functionfuse graph --out <file>.dot` or `<file>.mmd`.',
      );
      expect(((error as Error).cause as Error).message).toBe('Maximum call stack size exceeded');
      // Nothing is half written.
      expect(await readdir(docPath)).toEqual([]);
    } finally {
      await rm(docPath, { recursive: true, force: true });
    }
  });
});
