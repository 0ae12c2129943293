import type { AnyClass, PluginClassDefinition } from '../graph/callable.js';
import { callerModuleUrl, locateDefinition, toModuleUrl } from '../graph/definition-location.js';
import { registerDefinition } from '../graph/registry.js';
import { definitionName, type TaskOptions } from '../graph/task.js';

const definitionsByClass = new WeakMap<object, PluginClassDefinition>();

/**
 * Registers a plugin class so that worker threads can rebuild its instances: on ThreadWorkflow
 * a plugin's `remoteInitialize` runs in the worker, on a copy made from the plugin's public
 * fields. Call it at the top level of the module that defines the class, like `task()`.
 * Functions among the fields must be tasks (defined with `task()`), which workers find by name.
 *
 * @example
 * export const Timer = pluginClass(class Timer extends Plugin<number> {
 *   override localInitialize() { return Date.now(); }
 *   override remoteInitialize(queuedAt: number) { console.log(Date.now() - queuedAt); }
 * });
 */
export function pluginClass<C extends AnyClass>(cls: C, options: TaskOptions = {}): C {
  if (typeof cls !== 'function') {
    throw new TypeError(`Expected \`cls\` to be a class, got ${typeof cls}`);
  }
  const baseName = definitionName(cls.name, options.name, 'pluginClass');
  const moduleUrl = options.module === undefined ? callerModuleUrl(pluginClass) : toModuleUrl(options.module);
  const definition: PluginClassDefinition = {
    kind: 'plugin',
    cls,
    baseName,
    location: locateDefinition(moduleUrl, baseName),
  };
  registerDefinition(definition);
  definitionsByClass.set(cls, definition);
  return cls;
}

/** The registration of a plugin's class (the nearest registered class up its chain). */
export function pluginClassDefinitionOf(plugin: object): PluginClassDefinition | undefined {
  return definitionsByClass.get((plugin as { constructor: object }).constructor);
}
