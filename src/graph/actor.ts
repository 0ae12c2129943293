import { actorHandlePrototype } from './actor-handle-mark.js';
import type { ActorDefinition, AnyClass, Callable } from './callable.js';
import { type DefinitionOptions, nameAndLocation } from './definition.js';
import { Node } from './node.js';
import { registerDefinition } from './registry.js';
import type { InputArgs } from './types.js';

/** Any method, whatever its signature. */
// biome-ignore lint/suspicious/noExplicitAny: matches methods of any signature
export type AnyMethod = (...args: any[]) => unknown;

/** The names of the methods of `I`: what an actor handle exposes. */
export type MethodKeys<I> = {
  [K in keyof I]: K extends string ? (I[K] extends AnyMethod ? K : never) : never;
}[keyof I];

/** The part of every actor handle that is not one of the class's methods. */
export interface ActorHandleBase<I> {
  /** The init node: the construction of the object. */
  readonly node: Node<I>;
  /** The init node's name. */
  readonly name: string;
  /** Renames the init node; returns the handle. Call nodes keep `<Class>.<method>_NNNN` names. */
  setName(name: string): this;
}

/**
 * A stateful object in the graph. Each method call builds a node that runs after the previous
 * call on the same handle, so calls see the state in the order they were written.
 */
export type ActorHandle<I> = ActorHandleBase<I> & {
  readonly [K in Exclude<MethodKeys<I>, keyof ActorHandleBase<I>>]: I[K] extends (...args: infer A) => infer R
    ? (...args: InputArgs<A>) => Node<Awaited<R>>
    : never;
};

/** The factory `actor()` returns: call it (without `new`) to add an object to the graph. */
export interface ActorFactory<C extends AnyClass> {
  (...args: InputArgs<ConstructorParameters<C>>): ActorHandle<InstanceType<C>>;
  readonly definition: ActorDefinition;
}

/**
 * Wraps a class so that calling it builds a stateful node ("actor"): `Counter(0)` builds the
 * init node `Counter_0000`, and `counter.add(n)` builds the call node `Counter.add_0000`.
 * Methods are the class's own and inherited ones (not getters, not the constructor); a method
 * named `node`, `name` or `setName`, which the handle keeps for itself, is refused (TypeError).
 *
 * @example
 * export const IncrementalSum = actor(class IncrementalSum {
 *   constructor(public start: number) {}
 *   add(n: number) { this.start += n; return this.start; }
 * });
 * const acc = IncrementalSum(1);
 * const three = acc.add(2);   // Node<number>
 */
export function actor<C extends AnyClass>(cls: C, options: DefinitionOptions = {}): ActorFactory<C> {
  const { baseName, location, version } = nameAndLocation(cls, options, actor, 'actor');
  const definition: ActorDefinition = { kind: 'actor', cls, baseName, location, version };
  const methodNames = collectMethodNames(cls);
  const reserved = methodNames.filter((name) => handleMembers.has(name));
  if (reserved.length > 0) {
    throw new TypeError(
      `Actor ${baseName} has ${reserved.length === 1 ? 'a method' : 'methods'} named ${reserved.map((name) => `"${name}"`).join(', ')}, ` +
        `which its handle keeps for itself (${[...handleMembers].map((name) => `handle.${name}`).join(', ')}): ` +
        'the method could not be called. Rename it.',
    );
  }
  registerDefinition(definition);
  const factory = (...args: InputArgs<ConstructorParameters<C>>): ActorHandle<InstanceType<C>> =>
    createHandle(definition, methodNames, args) as ActorHandle<InstanceType<C>>;
  Object.defineProperty(factory, 'name', { value: baseName });
  return Object.assign(factory, { definition });
}

/** What every actor handle holds besides the class's methods (ActorHandleBase). */
const handleMembers: ReadonlySet<string> = new Set(['node', 'name', 'setName']);

/** Own and inherited methods, nearest definition first, without the constructor or accessors. */
function collectMethodNames(cls: AnyClass): string[] {
  const names = new Set<string>();
  for (
    let prototype = cls.prototype as object | null;
    prototype !== null && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype)
  ) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(prototype))) {
      if (name !== 'constructor' && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return [...names];
}

function createHandle(
  definition: ActorDefinition,
  methodNames: readonly string[],
  args: readonly unknown[],
): ActorHandleBase<unknown> {
  const initNode = new Node({ kind: 'actor-init', actor: definition, baseName: definition.baseName }, args);
  let lastNode: Node = initNode;
  const handle: Record<string, unknown> = Object.create(actorHandlePrototype);
  for (const method of methodNames) {
    const callable: Callable = {
      kind: 'actor-call',
      actor: definition,
      method,
      instance: initNode,
      baseName: `${definition.baseName}.${method}`,
    };
    handle[method] = (...callArgs: unknown[]): Node => {
      // The previous call is a parent: it orders the calls without passing its value.
      lastNode = new Node(callable, callArgs, [initNode, lastNode]);
      return lastNode;
    };
  }
  Object.defineProperties(handle, {
    node: { value: initNode, enumerable: false },
    name: { get: () => initNode.name, enumerable: false },
    setName: {
      value: (name: string) => {
        initNode.setName(name);
        return handle;
      },
      enumerable: false,
    },
  });
  return handle as unknown as ActorHandleBase<unknown>;
}
