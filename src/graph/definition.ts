import { describeValue } from '../errors.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import type { DefinitionLocation } from './callable.js';
import { callerModuleUrl, locateDefinition, toModuleUrl } from './definition-location.js';

/** Options of `task()`, `actor()` and `pluginClass()`. */
export interface DefinitionOptions {
  /**
   * The base of default node names and the key a worker finds the definition by.
   * @default the function's or class's own name
   */
  readonly name?: string;
  /**
   * The module that defines it, for code where that cannot be detected (bundles, eval).
   * Pass `import.meta.url`.
   * @default the module that called `task()` / `actor()` / `pluginClass()`
   */
  readonly module?: string | URL;
  /**
   * Part of the cache key of every node built from it (`task()` and `actor()` only): change it
   * to make stored results of those nodes stale when something the source text does not show
   * changed (a helper function it calls, a data file it reads).
   * @default none
   *
   * @example
   * export const fit = task(function fit(data: Float64Array) { return model(data); }, { version: 2 });
   */
  readonly version?: string | number;
}

/** A definition's `version` option, checked: a string, a finite number, or none. */
export type DefinitionVersion = string | number | undefined;

type Definer = 'task' | 'actor' | 'pluginClass';

const definitionOptionNames = ['name', 'module'];
/** Plugin classes have no cache key of their own (a node's payload is part of the node's). */
const versionedOptionNames = [...definitionOptionNames, 'version'];

/**
 * Checks what `task()`, `actor()` or `pluginClass()` was given, and works out its name and
 * where workers will find it: the module that called `definer`, unless given.
 */
export function nameAndLocation(
  target: unknown,
  options: DefinitionOptions,
  definer: (...args: never[]) => unknown,
  definerName: Definer,
): { baseName: string; location: DefinitionLocation; version: DefinitionVersion } {
  const thing = definerName === 'task' ? 'function' : 'class';
  if (typeof target !== 'function') {
    throw new TypeError(
      `Expected \`${definerName === 'task' ? 'fn' : 'cls'}\` to be a ${thing}, got ${typeof target}`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `Expected the options of ${definerName}() to be an object, got ${describeValue(options)}`,
    );
  }
  refuseUnknownKeys(
    options,
    definerName === 'pluginClass' ? definitionOptionNames : versionedOptionNames,
    `${definerName}() option`,
  );
  const baseName = definitionName(target.name, options.name, definerName, thing);
  const version = checkVersion(options.version, definerName);
  const moduleUrl = options.module === undefined ? callerModuleUrl(definer) : toModuleUrl(options.module);
  return { baseName, location: locateDefinition(moduleUrl, baseName), version };
}

function checkVersion(version: unknown, definer: Definer): DefinitionVersion {
  if (version === undefined || typeof version === 'string') return version;
  if (typeof version === 'number' && Number.isFinite(version)) return version;
  throw new TypeError(
    `Expected the \`version\` option of ${definer}() to be a string or a finite number, got ${describeValue(version)}`,
  );
}

/** Checks an explicit name option, or falls back to the function's or class's own name. */
function definitionName(
  ownName: string,
  option: string | undefined,
  definer: Definer,
  thing: string,
): string {
  if (option !== undefined) {
    if (typeof option !== 'string' || option.length === 0) {
      throw new TypeError(
        `Expected the \`name\` option of ${definer}() to be a non-empty string, got ${JSON.stringify(option)} (${typeof option})`,
      );
    }
    return option;
  }
  if (ownName === '') {
    throw new TypeError(
      `${definer}() needs a name: the ${thing} is anonymous. Write a named ${thing} or pass { name: '...' }.`,
    );
  }
  return ownName;
}
