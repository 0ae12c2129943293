import type { AnyClass, PluginClassDefinition } from '../graph/callable.js';
import { type DefinitionOptions, nameAndLocation } from '../graph/definition.js';
import { registerDefinition } from '../graph/registry.js';

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
export function pluginClass<C extends AnyClass>(cls: C, options: Omit<DefinitionOptions, 'version'> = {}): C {
  const { baseName, location } = nameAndLocation(cls, options, pluginClass, 'pluginClass');
  const definition: PluginClassDefinition = { kind: 'plugin', cls, baseName, location };
  registerDefinition(definition);
  definitionsByClass.set(cls, definition);
  return cls;
}

/** The registration of a plugin's class (the nearest registered class up its chain). */
export function pluginClassDefinitionOf(plugin: object): PluginClassDefinition | undefined {
  return definitionsByClass.get((plugin as { constructor: object }).constructor);
}
