/**
 * Writes one drawing of a workflow to the file the user named, in the format its extension
 * asks for: what `functionfuse graph --out` and `functionfuse run --graph` share.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { toDot } from '../graph-drawing/dot.js';
import type { DrawingOptions, DrawingSource } from '../graph-drawing/drawing-model.js';
import { toMermaid } from '../graph-drawing/mermaid.js';
import { renderSvg } from '../graph-drawing/render-svg.js';
import type { DrawingFormat } from './option-parsers.js';

/**
 * Draws `source` as DOT, Mermaid or SVG (laid out by Graphviz in WebAssembly) into `file`,
 * creating its folder.
 *
 * @example
 * await writeDrawing(wf, 'docs/pipeline.svg', 'svg');
 * await writeDrawing(wf, 'run.mmd', 'mmd', { nodeClass: (node) => outcomes.get(node) });
 */
export async function writeDrawing(
  source: DrawingSource,
  file: string,
  format: DrawingFormat,
  options: DrawingOptions = {},
): Promise<void> {
  let text: string;
  if (format === 'mmd') text = toMermaid(source, options);
  else {
    const dot = toDot(source, options);
    text = format === 'dot' ? dot : await renderSvg(dot);
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}
