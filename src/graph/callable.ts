import type { DefinitionVersion } from './definition.js';
import type { Node } from './node.js';

/**
 * Where a worker thread finds a task or actor class: the module that defined it and a key
 * within that module. The key is the function's name, with `#<n>` added for the n-th later
 * definition of the same name in one module, so two same-named tasks stay distinct.
 */
export interface DefinitionLocation {
  /** `file:` URL of the defining module; undefined when it could not be determined. */
  readonly moduleUrl: string | undefined;
  readonly key: string;
}

/** Any class, whatever its constructor's signature. */
// biome-ignore lint/suspicious/noExplicitAny: definitions hold classes of any signature
export type AnyClass = abstract new (...args: any[]) => unknown;

/** A function wrapped by `task()`. Shared by every node built from it. */
export interface TaskDefinition {
  readonly kind: 'task';
  // biome-ignore lint/suspicious/noExplicitAny: a definition holds functions of any signature
  readonly fn: (...args: any[]) => unknown;
  /** The prefix of default node names. */
  readonly baseName: string;
  readonly location: DefinitionLocation;
  /** The `version` option: part of its nodes' cache keys. */
  readonly version: DefinitionVersion;
}

/** A class wrapped by `actor()`. */
export interface ActorDefinition {
  readonly kind: 'actor';
  readonly cls: AnyClass;
  readonly baseName: string;
  readonly location: DefinitionLocation;
  /** The `version` option: part of its nodes' cache keys. */
  readonly version: DefinitionVersion;
}

/** A plugin class registered with `pluginClass()`, so workers can rebuild its instances. */
export interface PluginClassDefinition {
  readonly kind: 'plugin';
  readonly cls: AnyClass;
  readonly baseName: string;
  readonly location: DefinitionLocation;
}

/** What a node calls: a task, an actor's constructor, or a method of an actor instance. */
export type Callable =
  | TaskDefinition
  | { readonly kind: 'actor-init'; readonly actor: ActorDefinition; readonly baseName: string }
  | {
      readonly kind: 'actor-call';
      readonly actor: ActorDefinition;
      readonly method: string;
      /** The init node whose result is the instance the method is called on. */
      readonly instance: Node;
      readonly baseName: string;
    };

/** True for the nodes of stateful objects (init and method calls). */
export function isActorCallable(callable: Callable): boolean {
  return callable.kind !== 'task';
}

/** A readable description of a node for error messages: `"sum_0001" (task sum)`. */
export function describeNode(node: Node): string {
  const { callable } = node;
  switch (callable.kind) {
    case 'task':
      return `"${node.name}" (task ${callable.baseName})`;
    case 'actor-init':
      return `"${node.name}" (new ${callable.actor.baseName})`;
    case 'actor-call':
      return `"${node.name}" (${callable.actor.baseName}.${callable.method})`;
  }
}
