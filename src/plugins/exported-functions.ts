import { knownModuleUrls } from '../graph/registry.js';

/** Where a plain function can be found again: a module and the name it is exported under. */
export interface ExportLocation {
  readonly moduleUrl: string;
  readonly name: string;
}

const found = new WeakMap<object, ExportLocation | null>();

/**
 * Where a plain function (not a task) is exported from, among the modules that define tasks,
 * actors or plugin classes, so a worker can import it there. Those modules are already loaded,
 * so looking costs no import. Undefined when it is exported from none of them.
 */
export async function findExport(fn: object): Promise<ExportLocation | undefined> {
  const known = found.get(fn);
  if (known !== undefined) return known ?? undefined;
  for (const moduleUrl of knownModuleUrls()) {
    let namespace: Record<string, unknown>;
    try {
      namespace = (await import(moduleUrl)) as Record<string, unknown>;
    } catch {
      continue; // not importable from here (a loader-only module): keep looking
    }
    for (const [name, value] of Object.entries(namespace)) {
      if (value === fn) {
        const location = { moduleUrl, name };
        found.set(fn, location);
        return location;
      }
    }
  }
  found.set(fn, null);
  return undefined;
}
