import { FunctionFuseError } from '../errors.js';

/**
 * Graphviz could not be loaded or could not lay out a graph. The message says which; `cause`
 * is Graphviz's own error.
 *
 * @example
 * try { await new GraphWorkflow(leaf, { workflowName: 'demo', docPath: 'docs' }).run(); }
 * catch (error) { if (error instanceof GraphDrawingError) console.error(error.cause); }
 */
export class GraphDrawingError extends FunctionFuseError {
  override name = 'GraphDrawingError';
}
