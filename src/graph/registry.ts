import type { ActorDefinition, TaskDefinition } from './callable.js';

type Definition = TaskDefinition | ActorDefinition;

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

export function registerDefinition(definition: Definition): void {
  const { moduleUrl, key } = definition.location;
  if (moduleUrl === undefined) return;
  let definitions = definitionsByModule.get(moduleUrl);
  if (definitions === undefined) {
    definitions = new Map();
    definitionsByModule.set(moduleUrl, definitions);
  }
  definitions.set(key, definition);
}

export function lookupDefinition(moduleUrl: string, key: string): Definition | undefined {
  return definitionsByModule.get(moduleUrl)?.get(key);
}

/** The keys defined by one module, for "did you mean" error messages. */
export function definitionKeys(moduleUrl: string): string[] {
  return [...(definitionsByModule.get(moduleUrl)?.keys() ?? [])];
}
