/**
 * Lays out DOT text with Graphviz compiled to WebAssembly (`@hpcc-js/wasm-graphviz`), so
 * drawing needs no system binary and works wherever Node runs.
 */
import type { Graphviz } from '@hpcc-js/wasm-graphviz';
import { GraphDrawingError } from './graph-drawing-error.js';

/**
 * Loading compiles a few megabytes of WebAssembly (a few hundred milliseconds): it happens on
 * the first drawing only, and never for users who import functionfuse without drawing.
 */
let graphvizLoading: Promise<Graphviz> | undefined;

/**
 * Lays out a DOT graph with Graphviz's `dot` engine and returns the SVG document (it starts
 * with `<?xml`). Graphviz escapes every label for XML.
 *
 * @throws {GraphDrawingError} when Graphviz cannot be loaded, rejects the DOT text, or the graph
 *   is too large to lay out (the message says how many nodes, and to draw DOT or Mermaid).
 *
 * @example
 * const svg = await renderSvg(toDot(wf));
 * await writeFile('workflow.svg', svg);
 */
export async function renderSvg(dot: string): Promise<string> {
  if (typeof dot !== 'string') {
    throw new TypeError(`Expected \`dot\` to be a string, got ${typeof dot}`);
  }
  const graphviz = await loadGraphviz();
  try {
    return graphviz.dot(dot, 'svg');
  } catch (error) {
    if (isStackOverflow(error)) {
      // Graphviz's layout recurses along the graph's paths: a long chain (about 30,000 nodes)
      // exhausts the stack whatever the memory. DOT and Mermaid text need no layout.
      const nodeCount = countDotNodes(dot);
      const graph =
        nodeCount === 0 ? 'The graph is' : `The graph has ${nodeCount.toLocaleString('en-US')} nodes,`;
      throw new GraphDrawingError(
        `${graph} too large for Graphviz to lay out as SVG: it ran out of stack (${(error as Error).message}). ` +
          'Draw it as DOT or Mermaid instead, which need no layout: toDot() or toMermaid(), or ' +
          '`functionfuse graph --out <file>.dot` or `<file>.mmd`.',
        { cause: error },
      );
    }
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new GraphDrawingError(`Graphviz could not lay out the graph${detail}`, { cause: error });
  }
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError || (error instanceof Error && /call stack size/i.test(error.message));
}

/** The node statements of DOT text as toDot() writes it (`  n12 [label=...];`). */
function countDotNodes(dot: string): number {
  return dot.match(/^ {2}n\d+ \[/gm)?.length ?? 0;
}

function loadGraphviz(): Promise<Graphviz> {
  graphvizLoading ??= import('@hpcc-js/wasm-graphviz')
    .then((module) => module.Graphviz.load())
    .catch((error: unknown) => {
      // Forget the failure so a later drawing tries again (e.g. after memory was freed).
      graphvizLoading = undefined;
      throw new GraphDrawingError('Could not load Graphviz (@hpcc-js/wasm-graphviz)', { cause: error });
    });
  return graphvizLoading;
}
