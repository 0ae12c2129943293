/**
 * What a drawing of a workflow shows, independent of the output format: the boxes, their
 * labels, the arrows between them and the waves that set the ranks. DOT and Mermaid are two
 * spellings of this one model, so they cannot disagree about the graph.
 */
import { describeValue } from '../errors.js';
import { isWalkable, walkNested } from '../graph/arguments.js';
import { Node, Ref } from '../graph/node.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import { BaseWorkflow } from '../workflow/base-workflow.js';

/**
 * How a node's run ended, for drawings that colour nodes by outcome (the HTML run report).
 *
 * @example
 * const outcome: NodeOutcome = 'cached';
 */
export type NodeOutcome = 'ran' | 'cached' | 'failed' | 'skipped' | 'cancelled';

/** Every {@link NodeOutcome}, in the order their styles are declared in an output. */
export const NODE_OUTCOMES: readonly NodeOutcome[] = Object.freeze([
  'ran',
  'cached',
  'failed',
  'skipped',
  'cancelled',
]);

/**
 * Fill and border colours of each outcome. Shared by DOT and Mermaid so a report looks the
 * same whichever format it embeds; pale fills keep the black labels readable.
 *
 * @example
 * OUTCOME_COLOURS.failed.fill; // '#f9d6d5'
 */
export const OUTCOME_COLOURS: Readonly<
  Record<NodeOutcome, { readonly fill: string; readonly stroke: string }>
> = Object.freeze({
  ran: { fill: '#d9f2d9', stroke: '#2e7d32' },
  cached: { fill: '#dbe9f9', stroke: '#1f5fa8' },
  failed: { fill: '#f9d6d5', stroke: '#c62828' },
  skipped: { fill: '#eeeeee', stroke: '#9e9e9e' },
  cancelled: { fill: '#fcefd4', stroke: '#b26a00' },
});

/**
 * Options shared by {@link toDot} and {@link toMermaid}.
 *
 * @example
 * toDot(wf, { nodeClass: (node) => (failed.has(node.name) ? 'failed' : 'ran') });
 */
export interface DrawingOptions {
  /**
   * A caption drawn above the graph (DOT only; Mermaid has no safe place for free text).
   * @default the workflow's name when a workflow is drawn, none for a list of nodes
   */
  readonly title?: string | undefined;
  /**
   * Colours a node by its outcome; `undefined` leaves it plain.
   * @default every node plain
   */
  readonly nodeClass?: ((node: Node) => NodeOutcome | undefined) | undefined;
}

/**
 * What can be drawn: a workflow, or nodes in canonical order
 * (`[...wf.graphTraversal()].map(([, node]) => node)`, or `wf.findNodes(pattern)` for a part).
 *
 * @example
 * const source: DrawingSource = wf.findNodes(/train_.*\/);
 */
export type DrawingSource = BaseWorkflow | readonly Node[];

/** One box of the drawing. */
export interface DrawnNode {
  /** `n0`, `n1`, ... in drawing order: ids never carry user text, so they need no escaping. */
  readonly id: string;
  readonly node: Node;
  /** What the node calls: `sum`, `new Counter`, `Counter.add`. */
  readonly calls: string;
  /** Actor nodes (construction and method calls) are drawn in another shape than tasks. */
  readonly isActor: boolean;
  readonly outcome: NodeOutcome | undefined;
  /** Longest path from a parentless node of the drawing: the rank it is drawn at. */
  readonly wave: number;
}

/** One arrow, from a parent to a child. */
export interface DrawnEdge {
  readonly from: DrawnNode;
  readonly to: DrawnNode;
  /**
   * `data`: the child's arguments refer to the parent. `state`: the parent is the actor
   * instance or the previous call on it, so the arrow orders calls rather than passing a value.
   */
  readonly kind: 'data' | 'state';
  /** The item paths the child reads (`[0]`, `.mean`), in argument order; empty for the whole value. */
  readonly itemPaths: readonly string[];
}

/**
 * A workflow's graph, ready to be spelled in a drawing language.
 *
 * @example
 * const { nodes, edges, waves } = describeGraph(wf);
 */
export interface GraphDrawing {
  readonly title: string | undefined;
  /** In the order given (canonical order for a workflow). */
  readonly nodes: readonly DrawnNode[];
  /** Grouped by child in node order, then by parent in the child's parent order. */
  readonly edges: readonly DrawnEdge[];
  /** `waves[k]`: the nodes of wave k, in node order. */
  readonly waves: readonly (readonly DrawnNode[])[];
}

/**
 * Builds the format-neutral model of a drawing. Parents outside the given nodes are left
 * out, so a part of a workflow draws as a graph of its own.
 *
 * @example
 * const drawing = describeGraph(wf.findNodes(), { title: 'demo' });
 * drawing.edges.map((edge) => `${edge.from.node.name} -> ${edge.to.node.name}`);
 */
export function describeGraph(source: DrawingSource, options: DrawingOptions = {}): GraphDrawing {
  const { nodes, title } = readSource(source, options);
  const nodeClass = validateNodeClassOption(options.nodeClass);
  const waveOf = computeWaves(nodes);
  const drawnByNode = new Map<Node, DrawnNode>();
  const drawnNodes = nodes.map((node, index) => {
    const drawn: DrawnNode = {
      id: `n${index}`,
      node,
      calls: describeCall(node),
      isActor: node.callable.kind !== 'task',
      outcome: checkOutcome(nodeClass?.(node), node),
      wave: waveOf.get(node) as number,
    };
    drawnByNode.set(node, drawn);
    return drawn;
  });

  const edges: DrawnEdge[] = [];
  for (const child of drawnNodes) {
    const pathsByParent = collectItemPaths(child.node.args);
    for (const parent of child.node.parents) {
      const from = drawnByNode.get(parent);
      if (from === undefined) continue;
      const paths = pathsByParent.get(parent);
      edges.push(
        paths === undefined
          ? { from, to: child, kind: 'state', itemPaths: [] }
          : { from, to: child, kind: 'data', itemPaths: [...paths].filter((path) => path !== '') },
      );
    }
  }

  const waves: DrawnNode[][] = [];
  for (const drawn of drawnNodes) {
    const wave = waves[drawn.wave];
    if (wave === undefined) waves[drawn.wave] = [drawn];
    else wave.push(drawn);
  }
  return { title, nodes: drawnNodes, edges, waves };
}

/**
 * What a node calls, as its drawing's second line.
 *
 * @example
 * describeCall(sum(1, 2));        // 'sum'
 * describeCall(Counter(0).node);  // 'new Counter'
 */
export function describeCall(node: Node): string {
  const { callable } = node;
  switch (callable.kind) {
    case 'task':
      return callable.baseName;
    case 'actor-init':
      return `new ${callable.actor.baseName}`;
    case 'actor-call':
      return `${callable.actor.baseName}.${callable.method}`;
  }
}

/**
 * An item's path as a reader would write the access in JavaScript.
 *
 * @example
 * formatItemPath([0, 'mean']);   // '[0].mean'
 * formatItemPath(['two words']); // '["two words"]'
 */
export function formatItemPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'symbol') text += `[${String(key)}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) text += `.${key}`;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text;
}

function readSource(
  source: DrawingSource,
  options: DrawingOptions,
): { nodes: Node[]; title: string | undefined } {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Expected drawing options to be an object, got ${describeValue(options)}`);
  }
  refuseUnknownKeys(options, ['title', 'nodeClass'], 'drawing option');
  const { title } = options;
  if (title !== undefined && typeof title !== 'string') {
    throw new TypeError(`Expected \`title\` to be a string, got ${describeValue(title)}`);
  }
  if (source instanceof BaseWorkflow) {
    return {
      nodes: [...source.graphTraversal()].map(([, node]) => node),
      title: title ?? source.workflowName,
    };
  }
  if (!Array.isArray(source)) {
    throw new TypeError(
      `Expected the graph to draw to be a workflow or an array of nodes, got ${describeValue(source)}`,
    );
  }
  const nodes: Node[] = [];
  const seen = new Set<Node>();
  source.forEach((node: unknown, index) => {
    if (!(node instanceof Node)) {
      throw new TypeError(`Expected \`nodes[${index}]\` to be a node, got ${describeValue(node)}`);
    }
    // A node listed twice is drawn once: a caller concatenating two queries should not get twins.
    if (!seen.has(node)) {
      seen.add(node);
      nodes.push(node);
    }
  });
  return { nodes, title };
}

function validateNodeClassOption(nodeClass: DrawingOptions['nodeClass']): DrawingOptions['nodeClass'] {
  if (nodeClass !== undefined && typeof nodeClass !== 'function') {
    throw new TypeError(`Expected \`nodeClass\` to be a function, got ${describeValue(nodeClass)}`);
  }
  return nodeClass;
}

/** The hook's answer lands in DOT and Mermaid text, so anything but a known outcome is refused. */
function checkOutcome(outcome: unknown, node: Node): NodeOutcome | undefined {
  if (outcome === undefined || (NODE_OUTCOMES as readonly unknown[]).includes(outcome)) {
    return outcome as NodeOutcome | undefined;
  }
  throw new TypeError(
    `Expected \`nodeClass\` to return one of ${NODE_OUTCOMES.map((name) => `'${name}'`).join(', ')} or undefined for node "${node.name}", got ${describeValue(outcome)}`,
  );
}

/**
 * Waves as in the canonical order, counted within the drawn nodes. Creation order is a
 * topological order (parents exist before their children), so one pass over the nodes sorted
 * by id sees every parent before its children whatever order the caller gave.
 */
function computeWaves(nodes: readonly Node[]): Map<Node, number> {
  const waveOf = new Map<Node, number>();
  for (const node of nodes) waveOf.set(node, 0);
  for (const node of [...nodes].sort((a, b) => a.id - b.id)) {
    let wave = 0;
    for (const parent of node.parents) {
      const parentWave = waveOf.get(parent);
      if (parentWave !== undefined && parentWave >= wave) wave = parentWave + 1;
    }
    waveOf.set(node, wave);
  }
  return waveOf;
}

/**
 * For each node the arguments refer to, the distinct item paths read from it, in argument
 * order (`''` for the whole value). Walks arrays and plain objects as argument resolution does.
 */
function collectItemPaths(args: readonly unknown[]): Map<Node, Set<string>> {
  const pathsByParent = new Map<Node, Set<string>>();
  const visit = (value: unknown): void => {
    if (!(value instanceof Ref)) return;
    let paths = pathsByParent.get(value.node);
    if (paths === undefined) {
      paths = new Set();
      pathsByParent.set(value.node, paths);
    }
    paths.add(formatItemPath(value.path));
  };
  for (const arg of args) {
    // Node construction refuses cyclic arguments; skipping cycles only protects a drawing from
    // arguments mutated after the fact.
    if (isWalkable(arg)) walkNested(arg, visit, 'skip');
    else visit(arg);
  }
  return pathsByParent;
}
