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
 * @throws {GraphDrawingError} when Graphviz cannot be loaded or rejects the DOT text.
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
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new GraphDrawingError(`Graphviz could not lay out the graph${detail}`, { cause: error });
  }
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
