import type { ActorDefinition, PluginClassDefinition, TaskDefinition } from './callable.js';

/** Anything a worker can find by module and key. */
export type Definition = TaskDefinition | ActorDefinition | PluginClassDefinition;

/**
 * Every task and actor class defined in this thread, by module URL and key. A worker imports
 * a task's module and then looks the task up here.
 *
 * It lives on `globalThis` under a registered symbol so that two copies of functionfuse in one
 * thread (a test importing `src/`, a task module importing the built package) share it.
 */
const registryKey = Symbol.for('functionfuse.definitions');
const globalScope = globalThis as { [registryKey]?: Map<string, Map<string, Definition>> };
if (globalScope[registryKey] === undefined) globalScope[registryKey] = new Map();
const definitionsByModule = globalScope[registryKey];

/** Task definitions by their plain function, so a plugin holding the function can name it. */
const taskByFunction = new WeakMap<object, TaskDefinition>();

export function registerDefinition(definition: Definition): void {
  const { moduleUrl, key } = definition.location;
  if (moduleUrl === undefined) return;
  let definitions = definitionsByModule.get(moduleUrl);
  if (definitions === undefined) {
    definitions = new Map();
    definitionsByModule.set(moduleUrl, definitions);
  }
  definitions.set(key, definition);
  if (definition.kind === 'task') taskByFunction.set(definition.fn, definition);
}

/** The task definition of a function wrapped by `task()` (or of the task factory itself). */
export function taskDefinitionOf(fn: object): TaskDefinition | undefined {
  const definition = (fn as { definition?: TaskDefinition }).definition;
  if (definition?.kind === 'task' && definition.location.moduleUrl !== undefined) return definition;
  const found = taskByFunction.get(fn);
  return found?.location.moduleUrl === undefined ? undefined : found;
}

export function lookupDefinition(moduleUrl: string, key: string): Definition | undefined {
  return definitionsByModule.get(moduleUrl)?.get(key);
}

/** The modules that defined tasks, actors or plugin classes in this thread. */
export function knownModuleUrls(): string[] {
  return [...definitionsByModule.keys()];
}

/** The keys defined by one module, for "did you mean" error messages. */
export function definitionKeys(moduleUrl: string): string[] {
  return [...(definitionsByModule.get(moduleUrl)?.keys() ?? [])];
}
