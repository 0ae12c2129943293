import type { NodeContext } from './node-context.js';
import { Plugin, type RemoteInitializeResult } from './plugin.js';
import { pluginClass } from './plugin-class.js';
import { unwrapTask } from './unwrap-task.js';

/**
 * Runs a function where the node runs, before the node: set up state a worker needs (load a
 * model, configure a library). The function may return a cleanup. On ThreadWorkflow the
 * function runs in the worker, which finds it like a task: define it with `task()` at the top
 * level of a module and pass that task.
 *
 * @example
 * export const usePrecision = task(function usePrecision() { globalThis.precision = 'f32'; });
 * wf.query('train_.*').setPlugin(new InitializerPlugin(usePrecision));
 */
export class InitializerPlugin extends Plugin<undefined> {
  readonly initializer: (context: NodeContext) => RemoteInitializeResult;

  constructor(
    initializer: ((context: NodeContext) => RemoteInitializeResult) | { readonly definition: object },
  ) {
    super();
    if (typeof initializer !== 'function') {
      throw new TypeError(`Expected \`initializer\` to be a function, got ${typeof initializer}`);
    }
    this.initializer = unwrapTask(initializer);
  }

  override remoteInitialize(_payload: undefined, context: NodeContext): RemoteInitializeResult {
    return this.initializer(context);
  }
}

pluginClass(InitializerPlugin);
