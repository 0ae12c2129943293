import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeValue } from '../errors.js';
import type { Leaves } from '../graph/types.js';
import { docFileStem } from '../graph-drawing/doc-file-name.js';
import { toDot } from '../graph-drawing/dot.js';
import type { DrawingOptions } from '../graph-drawing/drawing-model.js';
import { toMermaid } from '../graph-drawing/mermaid.js';
import { renderSvg } from '../graph-drawing/render-svg.js';
import { BaseWorkflow, type WorkflowOptions } from '../workflow/base-workflow.js';
import { refuseWorkflowInWorker } from '../workflow/worker-guard.js';

/**
 * Options of {@link GraphWorkflow}.
 *
 * @example
 * const options: GraphWorkflowOptions = { workflowName: 'demo', docPath: 'docs/graphs' };
 */
export interface GraphWorkflowOptions extends WorkflowOptions {
  /**
   * The folder the drawings are written to, created if missing. A relative path is resolved
   * against the current directory when the workflow is built.
   */
  readonly docPath: string;
  /**
   * Colours nodes by outcome in the drawings.
   * @default every node plain
   */
  readonly nodeClass?: DrawingOptions['nodeClass'];
}

/**
 * The absolute paths of the files {@link GraphWorkflow.run} wrote.
 *
 * @example
 * const { svg } = await new GraphWorkflow(leaf, { workflowName: 'demo', docPath: 'docs' }).run();
 */
export interface GraphWorkflowFiles {
  /** `<docPath>/<workflow>.dot`: Graphviz source. */
  readonly dot: string;
  /** `<docPath>/<workflow>.svg`: the picture, laid out by Graphviz. */
  readonly svg: string;
  /** `<docPath>/<workflow>.mmd`: a Mermaid flowchart, for Markdown pages. */
  readonly mermaid: string;
}

/**
 * A backend that draws the workflow instead of running it, as the original's `GraphWorkflow`:
 * `run()` writes `<workflowName>.dot`, `.svg` and `.mmd` into `docPath` and runs no node.
 * Queries, `findNodes()` and `graphTraversal()` work as on every backend, so the drawing shows
 * exactly the nodes another backend would run, in the same waves.
 *
 * The workflow name becomes a file name through an encoding that keeps letters, digits, `_`,
 * `-` and `.` and escapes the rest (`%2F` for `/`), so no name writes outside `docPath`.
 *
 * @example
 * const wf = new GraphWorkflow([m, a1], { workflowName: 'demo', docPath: 'docs/graphs' });
 * const { dot, svg, mermaid } = await wf.run();  // absolute paths of the three files
 */
export class GraphWorkflow<const L extends Leaves = Leaves> extends BaseWorkflow<L> {
  /** The absolute folder the drawings go to. */
  readonly docPath: string;
  readonly #nodeClass: DrawingOptions['nodeClass'];

  constructor(leaves: L, options: GraphWorkflowOptions) {
    super(leaves, options, ['docPath', 'nodeClass']);
    this.docPath = validateDocPath(options.docPath);
    const { nodeClass } = options;
    if (nodeClass !== undefined && typeof nodeClass !== 'function') {
      throw new TypeError(`Expected \`nodeClass\` to be a function, got ${describeValue(nodeClass)}`);
    }
    this.#nodeClass = nodeClass;
  }

  /**
   * Writes the drawings and resolves to their paths. Every file is rendered before any is
   * written, so a failure leaves the previous drawings untouched rather than half replaced.
   */
  override async run(): Promise<GraphWorkflowFiles> {
    refuseWorkflowInWorker(this.workflowName);
    const nodes = this.findNodes();
    const options: DrawingOptions = { title: this.workflowName, nodeClass: this.#nodeClass };
    const dotText = toDot(nodes, options);
    const mermaidText = toMermaid(nodes, options);
    const svgText = await renderSvg(dotText);

    const stem = docFileStem(this.workflowName);
    const files: GraphWorkflowFiles = {
      dot: join(this.docPath, `${stem}.dot`),
      svg: join(this.docPath, `${stem}.svg`),
      mermaid: join(this.docPath, `${stem}.mmd`),
    };
    await mkdir(this.docPath, { recursive: true });
    await Promise.all([
      writeFile(files.dot, dotText),
      writeFile(files.svg, svgText),
      writeFile(files.mermaid, mermaidText),
    ]);
    return files;
  }

  /** A GraphWorkflow runs no node and holds nothing: there is nothing to end. */
  override async close(): Promise<void> {}
}

function validateDocPath(docPath: unknown): string {
  if (typeof docPath !== 'string' || docPath.length === 0) {
    throw new TypeError(`Expected \`docPath\` to be a non-empty string, got ${describeValue(docPath)}`);
  }
  if (docPath.includes('\0')) {
    throw new TypeError(
      `Expected \`docPath\` to be a path without NUL characters, got ${describeValue(docPath)}`,
    );
  }
  return resolve(docPath);
}
