import { isThenable } from '../util/thenable.js';
import type { NodeContext } from './node-context.js';
import {
  isPlugin,
  Plugin,
  type PluginCleanup,
  type PluginNodeInfo,
  type RemoteInitializeResult,
} from './plugin.js';
import { pluginClass } from './plugin-class.js';

/**
 * Several plugins on one node, run in the given order on both sides; their cleanups run in
 * reverse order.
 *
 * @example
 * wf.query('sim_.*').setPlugin(new PluginCollection([new RandomStatePlugin({ seed: 1 }), logger]));
 */
export class PluginCollection extends Plugin<unknown[]> {
  readonly plugins: readonly Plugin[];

  constructor(plugins: readonly Plugin[]) {
    super();
    if (!Array.isArray(plugins)) {
      throw new TypeError(`Expected \`plugins\` to be an array of plugins, got ${typeof plugins}`);
    }
    plugins.forEach((plugin, index) => {
      if (!isPlugin(plugin)) {
        throw new TypeError(`Expected \`plugins[${index}]\` to be a Plugin, got ${typeof plugin}`);
      }
    });
    this.plugins = [...plugins];
  }

  override beginRun(): void {
    for (const plugin of this.plugins) plugin.beginRun();
  }

  override localInitialize(node: PluginNodeInfo): unknown[] {
    return this.plugins.map((plugin) => plugin.localInitialize(node));
  }

  override remoteInitialize(payloads: unknown[], context: NodeContext): RemoteInitializeResult {
    const cleanups: PluginCleanup[] = [];
    const cleanUp = (): void => {
      for (const cleanup of cleanups.reverse()) cleanup();
    };
    // Synchronous while every plugin is; from the first async one on, the rest wait for it.
    const initializeFrom = (start: number): RemoteInitializeResult => {
      for (let index = start; index < this.plugins.length; index++) {
        const plugin = this.plugins[index] as Plugin;
        const result = plugin.remoteInitialize(payloads[index], context);
        if (isThenable(result)) {
          return Promise.resolve(result).then((cleanup) => {
            if (typeof cleanup === 'function') cleanups.push(cleanup);
            return initializeFrom(index + 1);
          });
        }
        if (typeof result === 'function') cleanups.push(result);
      }
      return cleanUp;
    };
    try {
      const result = initializeFrom(0);
      return isThenable(result)
        ? Promise.resolve(result).catch((error: unknown) => {
            cleanUp();
            throw error;
          })
        : result;
    } catch (error) {
      cleanUp();
      throw error;
    }
  }
}

pluginClass(PluginCollection);
