/**
 * How a workflow trusts its stored results: by cache key (the default), or by node name as the
 * original did. The second keeps a stored result whatever changed since it was computed.
 */
import { describeValue } from '../errors.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';

/**
 * What decides that a stored result may be used instead of running its node:
 * - `'key'`: the result was computed under the node's current cache key (same code, version,
 *   arguments, inputs and seed); any other is stale, and the node runs again.
 * - `'name'`: a result stored under the node's name is used, whatever changed (the original's
 *   behaviour). Keys are still computed and saved, so switching back to `'key'` later works.
 *
 * @example
 * wf.setStorage(new FileStorage('./store'), { trust: 'name' });
 */
export type StoredResultTrust = 'key' | 'name';

/**
 * Options of `setStorage(storage, options)`.
 *
 * @example
 * const options: StorageOptions = { trust: 'name' };
 */
export interface StorageOptions {
  /**
   * See {@link StoredResultTrust}.
   * @default 'key'
   */
  readonly trust?: StoredResultTrust;
}

/** {@link StorageOptions} with every default applied. */
export interface ResolvedStorageOptions {
  readonly trust: StoredResultTrust;
}

/** The defaults: results trusted by key. */
export const defaultStorageOptions: ResolvedStorageOptions = Object.freeze({ trust: 'key' });

/** Checks what `setStorage` was given as options and applies the defaults. */
export function resolveStorageOptions(options: StorageOptions | undefined): ResolvedStorageOptions {
  if (options === undefined) return defaultStorageOptions;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `Expected the options of setStorage() to be an object like { trust: 'name' }, got ${describeValue(options)}`,
    );
  }
  refuseUnknownKeys(options, ['trust'], 'setStorage() option');
  const { trust = 'key' } = options;
  if (trust !== 'key' && trust !== 'name') {
    throw new TypeError(`Expected \`trust\` to be 'key' or 'name', got ${describeValue(trust)}`);
  }
  return trust === 'key' ? defaultStorageOptions : Object.freeze({ trust });
}
