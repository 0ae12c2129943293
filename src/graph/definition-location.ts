import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DefinitionLocation } from './callable.js';

/**
 * The `file:` URL of the module that called `caller` (the module defining a task or actor),
 * read from V8's structured call sites. Works for native ESM (`file:` URLs), loaders such as
 * tsx, and vitest's module runner (absolute paths). Undefined when no frame has a file name
 * (code from `eval`, a REPL line), in which case the user must pass `module` explicitly.
 */
export function callerModuleUrl(caller: (...args: never[]) => unknown): string | undefined {
  const originalPrepare = Error.prepareStackTrace;
  const originalLimit = Error.stackTraceLimit;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  try {
    Error.prepareStackTrace = (_error, callSites) => callSites;
    Error.stackTraceLimit = 1;
    Error.captureStackTrace(holder, caller);
    const fileName = holder.stack?.[0]?.getFileName();
    return fileName ? toModuleUrl(fileName) : undefined;
  } finally {
    Error.prepareStackTrace = originalPrepare;
    Error.stackTraceLimit = originalLimit;
  }
}

/** Normalises a module given as a URL, `import.meta.url` or an absolute path to a `file:` URL. */
export function toModuleUrl(moduleSpecifier: string | URL): string {
  const text = String(moduleSpecifier);
  const url = text.startsWith('file:') ? new URL(text) : isAbsolute(text) ? pathToFileURL(text) : undefined;
  if (url === undefined) {
    throw new TypeError(
      `Expected \`module\` to be a file: URL or an absolute path (use import.meta.url), got ${JSON.stringify(text)}`,
    );
  }
  // Loaders add cache-busting queries (?v=123, ?t=...): the file is what identifies the module.
  url.search = '';
  url.hash = '';
  return url.href;
}

const definitionCountsByModule = new Map<string, Map<string, number>>();

/**
 * Assigns the lookup key of a definition within its module: its name, then `#1`, `#2`... for
 * later definitions of the same name. Workers import the same module, which runs the same
 * `task()` calls in the same order, so they compute the same keys.
 */
export function locateDefinition(moduleUrl: string | undefined, name: string): DefinitionLocation {
  if (moduleUrl === undefined) return { moduleUrl, key: name };
  let counts = definitionCountsByModule.get(moduleUrl);
  if (counts === undefined) {
    counts = new Map();
    definitionCountsByModule.set(moduleUrl, counts);
  }
  const seen = counts.get(name) ?? 0;
  counts.set(name, seen + 1);
  return { moduleUrl, key: seen === 0 ? name : `${name}#${seen}` };
}
