/**
 * Plugins on worker threads. A plugin object lives in the main thread; its `remoteInitialize`
 * must run in the worker that runs the node. We send the plugin as data: where its class is
 * (registered with `pluginClass()`) and its public fields, with functions replaced by the
 * module and key of the task that defines them. The worker rebuilds an instance from that.
 */
import { describeValue, UnsendablePluginError } from '../errors.js';
import { taskDefinitionOf } from '../graph/registry.js';
import { findExport } from '../plugins/exported-functions.js';
import { isPlugin, type Plugin, type PreparedPlugin } from '../plugins/plugin.js';
import { pluginClassDefinitionOf } from '../plugins/plugin-class.js';
import { inspectValue } from '../util/inspect-value.js';
import { loadDefinition, loadModule } from './load-definition.js';

/** A plugin field as sent to a worker. */
export type EncodedField =
  | { readonly kind: 'data'; readonly value: unknown }
  | { readonly kind: 'function'; readonly moduleUrl: string; readonly key: string }
  | { readonly kind: 'export'; readonly moduleUrl: string; readonly name: string }
  | { readonly kind: 'plugin'; readonly spec: RemotePluginSpec }
  | { readonly kind: 'array'; readonly items: readonly EncodedField[] };

/** Everything a worker needs to rebuild a plugin. */
export interface RemotePluginSpec {
  readonly moduleUrl: string;
  readonly key: string;
  readonly fields: Readonly<Record<string, EncodedField>>;
}

/** Main thread: describes `plugin` for the workers, or explains why it cannot be sent. */
export async function describePluginForWorker(plugin: Plugin, nodeName: string): Promise<RemotePluginSpec> {
  const className = (plugin as { constructor?: { name?: string } }).constructor?.name ?? 'plugin';
  const refuse = (reason: string): never => {
    throw new UnsendablePluginError(
      `The plugin ${className} of node "${nodeName}" cannot be sent to a worker thread: ${reason}`,
    );
  };
  const definition = pluginClassDefinitionOf(plugin);
  if (definition?.location.moduleUrl === undefined) {
    return refuse(
      `its class is not registered. Wrap the class with pluginClass() at the top level of the module that defines it.`,
    );
  }
  const encode = async (value: unknown, field: string): Promise<EncodedField> => {
    if (typeof value === 'function') {
      const task = taskDefinitionOf(value);
      if (task?.location.moduleUrl !== undefined) {
        return { kind: 'function', moduleUrl: task.location.moduleUrl, key: task.location.key };
      }
      const exported = await findExport(value);
      if (exported !== undefined) return { kind: 'export', ...exported };
      return refuse(
        `its field \`${field}\` is ${describeValue(value)}, which a worker cannot find. Export the function ` +
          'from a module that defines tasks, or define it with task() at the top level of a module and pass that task.',
      );
    }
    if (isPlugin(value)) return { kind: 'plugin', spec: await describePluginForWorker(value, nodeName) };
    if (Array.isArray(value) && value.some((item) => typeof item === 'function' || isPlugin(item))) {
      return {
        kind: 'array',
        items: await Promise.all(value.map((item, index) => encode(item, `${field}[${index}]`))),
      };
    }
    const { problem } = inspectValue(value, false);
    if (problem !== undefined)
      return refuse(`its field \`${field}${problem.path}\` is ${problem.description}.`);
    return { kind: 'data', value };
  };
  const fields: Record<string, EncodedField> = {};
  for (const [field, value] of Object.entries(plugin)) fields[field] = await encode(value, field);
  return { moduleUrl: definition.location.moduleUrl, key: definition.location.key, fields };
}

/** Worker side: rebuilds the plugin a spec describes. */
export async function rebuildPlugin(spec: RemotePluginSpec): Promise<Plugin> {
  const definition = await loadDefinition(spec.moduleUrl, spec.key);
  const instance = Object.create(
    definition.kind === 'task' ? Object.prototype : definition.cls.prototype,
  ) as Record<string, unknown>;
  for (const [field, encoded] of Object.entries(spec.fields)) instance[field] = await decode(encoded);
  return instance as unknown as Plugin;
}

async function decode(encoded: EncodedField): Promise<unknown> {
  switch (encoded.kind) {
    case 'data':
      return encoded.value;
    case 'function': {
      const definition = await loadDefinition(encoded.moduleUrl, encoded.key);
      return definition.kind === 'task' ? definition.fn : definition.cls;
    }
    case 'export': {
      const exported = (await loadModule(encoded.moduleUrl))[encoded.name];
      if (typeof exported !== 'function') {
        throw new UnsendablePluginError(
          `${encoded.moduleUrl} has no function exported as "${encoded.name}" in this worker`,
        );
      }
      return exported;
    }
    case 'plugin':
      return rebuildPlugin(encoded.spec);
    case 'array':
      return Promise.all(encoded.items.map(decode));
  }
}

/**
 * Main thread, before a run on threads: every node's plugin (prepared in canonical order, see
 * BaseWorkflow#preparePlugins) described for the workers, with its payload. Refuses, before
 * anything runs, a plugin or payload that cannot be sent.
 */
export async function preparePluginCalls(
  nodes: readonly { readonly name: string }[],
  prepared: readonly (PreparedPlugin | undefined)[],
): Promise<({ readonly spec: RemotePluginSpec; readonly payload: unknown } | undefined)[]> {
  const specs = new Map<Plugin, RemotePluginSpec>();
  const calls: ({ readonly spec: RemotePluginSpec; readonly payload: unknown } | undefined)[] = [];
  for (const [index, node] of nodes.entries()) {
    const preparedPlugin = prepared[index];
    if (preparedPlugin === undefined) {
      calls.push(undefined);
      continue;
    }
    const { plugin, payload } = preparedPlugin;
    let spec = specs.get(plugin);
    if (spec === undefined) {
      spec = await describePluginForWorker(plugin, node.name);
      specs.set(plugin, spec);
    }
    const { problem } = inspectValue(payload, false);
    if (problem !== undefined) {
      throw new UnsendablePluginError(
        `The plugin ${plugin.constructor.name} of node "${node.name}" returned from localInitialize() a value that ` +
          `cannot be sent to a worker thread: payload${problem.path} is ${problem.description}.`,
      );
    }
    calls.push({ spec, payload });
  }
  return calls;
}
