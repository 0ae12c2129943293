import type { NodeContext } from './node-context.js';
import { isPlugin, Plugin, type PluginCleanup, type PluginNodeInfo } from './plugin.js';
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

  override async remoteInitialize(payloads: unknown[], context: NodeContext): Promise<PluginCleanup> {
    const cleanups: PluginCleanup[] = [];
    const cleanUp = (): void => {
      for (const cleanup of cleanups.reverse()) cleanup();
    };
    try {
      for (const [index, plugin] of this.plugins.entries()) {
        const cleanup = await plugin.remoteInitialize(payloads[index], context);
        if (typeof cleanup === 'function') cleanups.push(cleanup);
      }
    } catch (error) {
      cleanUp();
      throw error;
    }
    return cleanUp;
  }
}

pluginClass(PluginCollection);
