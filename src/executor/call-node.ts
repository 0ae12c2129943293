import type { Callable } from '../graph/callable.js';
import { type NodeContext, nodeContextStorage } from '../plugins/node-context.js';
import type { PluginCleanup, PreparedPlugin } from '../plugins/plugin.js';
import { isThenable } from '../util/thenable.js';

/**
 * Calls what a node stands for with resolved arguments. `instance` is the actor object for a
 * method call. Returns the function's value, or its promise for an async function.
 */
export function callCallable(callable: Callable, args: readonly unknown[], instance: unknown): unknown {
  switch (callable.kind) {
    case 'task':
      return callable.fn(...args);
    case 'actor-init':
      return Reflect.construct(callable.actor.cls, args);
    case 'actor-call':
      return callMethod(instance, callable.method, callable.actor.baseName, args);
  }
}

/** Calls `instance[methodName](...args)`, refusing clearly when there is no such method. */
export function callMethod(
  instance: unknown,
  methodName: string,
  className: string,
  args: readonly unknown[],
): unknown {
  const method = (instance as Record<string, unknown>)[methodName];
  if (typeof method !== 'function') throw new TypeError(`${className} has no method "${methodName}"`);
  return method.apply(instance, args);
}

/**
 * Runs `call` where the node runs, wrapped by its plugin: `remoteInitialize` first, the call
 * inside the node's context (so `nodeRandom()` finds its generator across awaits), the
 * plugin's cleanup after the call settles, whether it succeeded or not. Stays synchronous
 * when the plugin and the call are: most nodes are, and a promise per node is costly.
 */
export function callWithPlugin(nodeName: string, prepared: PreparedPlugin, call: () => unknown): unknown {
  const context: NodeContext = { nodeName };
  const initialized = prepared.plugin.remoteInitialize(prepared.payload, context);
  if (isThenable(initialized)) {
    return Promise.resolve(initialized).then((cleanup) => callInContext(context, call, cleanup));
  }
  return callInContext(context, call, initialized);
}

function callInContext(context: NodeContext, call: () => unknown, cleanup: void | PluginCleanup): unknown {
  let value: unknown;
  try {
    value = nodeContextStorage.run(context, call);
  } catch (error) {
    if (typeof cleanup === 'function') cleanup();
    throw error;
  }
  if (typeof cleanup !== 'function') return value;
  if (isThenable(value)) return Promise.resolve(value).finally(cleanup);
  cleanup();
  return value;
}
