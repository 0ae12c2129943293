import { resolve } from 'node:path';
import { describeValue } from '../errors.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';

/**
 * Options of {@link FileStorage}, also accepted beside `path` by `storageFactory`.
 *
 * @example
 * new FileStorage('./store', { alwaysRead: true });
 */
export interface FileStorageOptions {
  /**
   * Children of a freshly computed node get the copy read back from storage, so they see
   * exactly what a later run would read.
   * @default false
   */
  readonly alwaysRead?: boolean;
  /**
   * Flush every write to disk (fsync) before it becomes visible, and the folder after it, so a
   * save that resolved survives a power loss. With `false`, writes are still atomic and
   * checksummed (a crash can lose recent results, never return wrong ones); use it for scratch
   * folders and tmpfs, where the flush buys nothing.
   * @default true
   */
  readonly durable?: boolean;
}

/**
 * {@link FileStorageOptions} with every default applied and the path made absolute.
 *
 * @example
 * const { path, durable } = resolveFileStorageOptions('./store', {});
 */
export interface ResolvedFileStorageOptions {
  /** Absolute, resolved once, so a later `process.chdir()` does not move the storage. */
  readonly path: string;
  readonly alwaysRead: boolean;
  readonly durable: boolean;
}

const defaults = { alwaysRead: false, durable: true } as const;
const optionNames = Object.keys(defaults) as (keyof typeof defaults)[];

/**
 * Checks a storage path and options once, naming the option and the value on a mistake.
 *
 * @example
 * resolveFileStorageOptions('./store', {}); // { path: '/cwd/store', alwaysRead: false, durable: true }
 * resolveFileStorageOptions(3, {});         // TypeError: Expected `path` to be a non-empty string, got 3 (number)
 */
export function resolveFileStorageOptions(path: unknown, options: unknown): ResolvedFileStorageOptions {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`Expected \`path\` to be a non-empty string, got ${describeValue(path)}`);
  }
  if (path.includes('\0')) {
    throw new TypeError(`Expected \`path\` to be a path without NUL characters, got ${describeValue(path)}`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`Expected FileStorage options to be an object, got ${describeValue(options)}`);
  }
  const given = options as Record<string, unknown>;
  refuseUnknownKeys(given, optionNames, 'FileStorage option');
  const resolved: { -readonly [K in keyof ResolvedFileStorageOptions]: ResolvedFileStorageOptions[K] } = {
    path: resolve(path),
    ...defaults,
  };
  for (const name of optionNames) {
    const value = given[name];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') {
      throw new TypeError(`Expected \`${name}\` to be a boolean, got ${describeValue(value)}`);
    }
    resolved[name] = value;
  }
  return resolved;
}
