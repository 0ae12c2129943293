/**
 * A plugin spec names modules by URL in several places (its class, functions in its fields,
 * nested plugins). Across machines each URL is swapped for a reference the other side resolves:
 * one walk, used in both directions.
 */
import type { EncodedField, RemotePluginSpec } from '../threads/remote-plugin.js';

/** `spec` with every module URL replaced by `map(url)`. */
export function mapPluginModules(
  spec: RemotePluginSpec,
  map: (moduleUrl: string) => string,
): RemotePluginSpec {
  const fields: Record<string, EncodedField> = {};
  for (const [name, field] of Object.entries(spec.fields)) fields[name] = mapField(field, map);
  return { moduleUrl: map(spec.moduleUrl), key: spec.key, fields };
}

function mapField(field: EncodedField, map: (moduleUrl: string) => string): EncodedField {
  switch (field.kind) {
    case 'data':
      return field;
    case 'function':
    case 'export':
      return { ...field, moduleUrl: map(field.moduleUrl) };
    case 'plugin':
      return { kind: 'plugin', spec: mapPluginModules(field.spec, map) };
    case 'array':
      return { kind: 'array', items: field.items.map((item) => mapField(item, map)) };
  }
}
