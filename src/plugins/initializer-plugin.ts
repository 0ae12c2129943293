import type { NodeContext } from './node-context.js';
import { Plugin, type RemoteInitializeResult } from './plugin.js';

/**
 * Runs a function where the node runs, before the node: set up state a worker needs (load a
 * model, configure a library). The function may return a cleanup.
 *
 * @example
 * wf.query('train_.*').setPlugin(new InitializerPlugin(() => { globalThis.precision = 'f32'; }));
 */
export class InitializerPlugin extends Plugin<undefined> {
  readonly initializer: (context: NodeContext) => RemoteInitializeResult;

  constructor(initializer: (context: NodeContext) => RemoteInitializeResult) {
    super();
    if (typeof initializer !== 'function') {
      throw new TypeError(`Expected \`initializer\` to be a function, got ${typeof initializer}`);
    }
    this.initializer = initializer;
  }

  override remoteInitialize(_payload: undefined, context: NodeContext): RemoteInitializeResult {
    return this.initializer(context);
  }
}
