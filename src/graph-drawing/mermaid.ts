/**
 * Spells a workflow's drawing as a Mermaid flowchart, which GitHub, GitLab and most Markdown
 * viewers render inline.
 */
import {
  type DrawingOptions,
  type DrawingSource,
  type DrawnEdge,
  type DrawnNode,
  describeGraph,
  NODE_OUTCOMES,
  OUTCOME_COLOURS,
} from './drawing-model.js';
import { labelLines } from './label-text.js';

/**
 * Characters left as they are in a label: letters, digits and punctuation that means nothing
 * to Mermaid's lexer, to Markdown strings or to HTML. Everything else is written as an entity
 * code. `:` is not plain: before parsing, Mermaid drops the last `;` of any line matching
 * `style.*:\S*#.*;`, which would break an entity code in a label such as `style fill:#f00`.
 */
const notPlain = /[^\p{L}\p{M}\p{N} _.,/()[\]{}+=@!?'*$~^-]/gu;

/**
 * The workflow's graph as a Mermaid flowchart, top to bottom: nodes `n0`, `n1`, ... in
 * canonical order with quoted labels (name, then what it calls), actor nodes as hexagons,
 * arrows labelled with the item paths the child reads, dotted arrows for the order of calls on
 * an actor, and one class per outcome when `nodeClass` is given.
 *
 * Mermaid has no rank constraint; its layout puts each node below its parents, which matches
 * the waves except where it chooses to stretch an edge.
 *
 * @example
 * const s1 = sum(1, 1).setName('node1');
 * toMermaid([s1, sum(s1, 1).setName('node2')]);
 * // flowchart TD
 * //   n0("node1<br>sum")
 * //   n1("node2<br>sum")
 * //   n0 --> n1
 */
export function toMermaid(source: DrawingSource, options: DrawingOptions = {}): string {
  const drawing = describeGraph(source, options);
  const lines = ['flowchart TD'];
  for (const node of drawing.nodes) lines.push(`  ${nodeStatement(node)}`);
  for (const edge of drawing.edges) lines.push(`  ${edgeStatement(edge)}`);
  for (const outcome of NODE_OUTCOMES) {
    const ids = drawing.nodes.filter((node) => node.outcome === outcome).map((node) => node.id);
    if (ids.length === 0) continue;
    const { fill, stroke } = OUTCOME_COLOURS[outcome];
    lines.push(`  classDef ${outcome} fill:${fill},stroke:${stroke}`, `  class ${ids.join(',')} ${outcome}`);
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * A double-quoted Mermaid label showing `lines` as written, lines joined with `<br>`.
 *
 * Mermaid has no backslash escapes: inside quotes it reads everything up to the next `"`,
 * then treats the text as HTML (or Markdown, between backticks), and decodes `#<code>;`
 * entity codes first. So every character outside a small plain set, `"`, `#`, `<`, `&` and the
 * backtick among them, is written as its decimal entity code, which Mermaid turns into an HTML
 * character reference and so displays as itself.
 *
 * @example
 * mermaidLabel(['a "quoted" name']);  // '"a #34;quoted#34; name"'
 * mermaidLabel(['node1', 'sum']);     // '"node1<br>sum"'
 */
export function mermaidLabel(lines: readonly string[]): string {
  const escaped = lines
    .flatMap(labelLines)
    .map((line) => line.replace(notPlain, (character) => `#${character.codePointAt(0)};`));
  return `"${escaped.join('<br>')}"`;
}

function nodeStatement(node: DrawnNode): string {
  const label = mermaidLabel([node.node.name, node.calls]);
  return node.isActor ? `${node.id}{{${label}}}` : `${node.id}(${label})`;
}

function edgeStatement(edge: DrawnEdge): string {
  const arrow = edge.kind === 'state' ? '-.->' : '-->';
  const label = edge.itemPaths.length > 0 ? `|${mermaidLabel([edge.itemPaths.join(', ')])}|` : '';
  return `${edge.from.id} ${arrow}${label} ${edge.to.id}`;
}
