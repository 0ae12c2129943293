/**
 * Spells a workflow's drawing in Graphviz's DOT language.
 */
import {
  type DrawingOptions,
  type DrawingSource,
  type DrawnEdge,
  type DrawnNode,
  describeGraph,
  OUTCOME_COLOURS,
} from './drawing-model.js';
import { labelLines } from './label-text.js';

/**
 * The workflow's graph in DOT: one box per node (its name, then what it calls), actor nodes as
 * hexagons, an arrow from each parent to each child labelled with the item paths the child
 * reads, dashed arrows for the order of calls on an actor, and one rank per wave.
 *
 * The text depends only on the graph and the options, so it can be compared in tests and
 * committed to a repository.
 *
 * @example
 * const s1 = sum(1, 1).setName('node1');
 * toDot([s1, sum(s1, 1).setName('node2')]);
 * // digraph workflow {
 * //   ...
 * //   n0 [label="node1\nsum"];
 * //   n1 [label="node2\nsum"];
 * //   n0 -> n1;
 * // }
 */
export function toDot(source: DrawingSource, options: DrawingOptions = {}): string {
  const drawing = describeGraph(source, options);
  // Hostile text never becomes an ID: the graph and the nodes have fixed ids, names go in
  // labels, whose escaping rules are fully known.
  const lines = ['digraph workflow {'];
  const graphAttributes = ['rankdir=TB', 'fontname="Helvetica"'];
  if (drawing.title !== undefined) graphAttributes.push(`label=${dotLabel([drawing.title])}`, 'labelloc=t');
  lines.push(`  graph [${graphAttributes.join(', ')}];`);
  lines.push('  node [shape=box, style=rounded, fontname="Helvetica", fontsize=12];');
  lines.push('  edge [fontname="Helvetica", fontsize=10];');
  for (const node of drawing.nodes) lines.push(`  ${node.id} [${nodeAttributes(node).join(', ')}];`);
  // Graphviz ranks by its own optimisation otherwise; pinning each wave keeps the picture in
  // the order the workflow runs nodes and hands out seeds.
  for (const wave of drawing.waves) {
    if (wave.length > 1) lines.push(`  { rank=same; ${wave.map((node) => `${node.id};`).join(' ')} }`);
  }
  for (const edge of drawing.edges) {
    const attributes = edgeAttributes(edge);
    const suffix = attributes.length === 0 ? '' : ` [${attributes.join(', ')}]`;
    lines.push(`  ${edge.from.id} -> ${edge.to.id}${suffix};`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

/**
 * A DOT double-quoted label showing `lines` as written.
 *
 * DOT's parser only unescapes `\"`, and labels are then read as Graphviz "escString"s, where a
 * backslash starts an escape (`\n`, `\l`, `\N` for the node's name...) and `&...;` is read as
 * an HTML entity. So `\` becomes `\\`, `"` becomes `\"`, `&` becomes `&amp;`, and lines are
 * joined with `\n` (centred lines). No raw line break is ever written, since a backslash before
 * one would continue the string.
 *
 * @example
 * dotLabel(['a "quoted" name']);     // '"a \\"quoted\\" name"'
 * dotLabel(['node1', 'sum']);        // '"node1\\nsum"'
 */
export function dotLabel(lines: readonly string[]): string {
  const escaped = lines.flatMap(labelLines).map((line) =>
    line.replace(/[\\"&]/g, (character) => {
      if (character === '&') return '&amp;';
      return `\\${character}`;
    }),
  );
  return `"${escaped.join('\\n')}"`;
}

function nodeAttributes(node: DrawnNode): string[] {
  const attributes = [`label=${dotLabel([node.node.name, node.calls])}`];
  if (node.isActor) attributes.push('shape=hexagon');
  if (node.outcome !== undefined) {
    const { fill, stroke } = OUTCOME_COLOURS[node.outcome];
    // `class` ends up on the SVG group, so a report can restyle nodes with CSS.
    attributes.push(
      `class="${node.outcome}"`,
      `style="${node.isActor ? 'filled' : 'rounded,filled'}"`,
      `fillcolor="${fill}"`,
      `color="${stroke}"`,
    );
  }
  return attributes;
}

function edgeAttributes(edge: DrawnEdge): string[] {
  const attributes: string[] = [];
  if (edge.itemPaths.length > 0) attributes.push(`label=${dotLabel([edge.itemPaths.join(', ')])}`);
  if (edge.kind === 'state') attributes.push('style=dashed');
  return attributes;
}
