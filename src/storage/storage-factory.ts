import { describeValue } from '../errors.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import { FileStorage } from './file-storage.js';
import type { FileStorageOptions } from './file-storage-options.js';
import type { Storage } from './storage.js';

/**
 * Describes a storage to build with {@link storageFactory}. `'file'` is the only kind: the
 * original's Ray object store and S3 kinds have no counterpart here yet.
 *
 * @example
 * const config: StorageConfig = { kind: 'file', options: { path: './store' } };
 */
export interface StorageConfig {
  readonly kind: 'file';
  readonly options: { readonly path: string } & FileStorageOptions;
}

const storageKinds = ['file'] as const;
const configKeys = ['kind', 'options'];

/**
 * Builds a storage from a plain description (read from a config file, say). Refuses unknown
 * kinds, unknown keys and bad options, naming them and the value received.
 *
 * @example
 * const storage = storageFactory({ kind: 'file', options: { path: './store' } });
 * workflow.setStorage(storage);
 * storageFactory({ kind: 's3', options: {} }); // RangeError: Expected `kind` to be "file", got "s3" (string)
 */
export function storageFactory(config: StorageConfig): Storage {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new TypeError(
      `Expected the storage config to be an object like { kind: 'file', options: { path } }, got ${describeValue(config)}`,
    );
  }
  refuseUnknownKeys(config, configKeys, 'storage config key', 'known keys');
  const { kind, options } = config as { kind: unknown; options: unknown };
  if (!(storageKinds as readonly unknown[]).includes(kind)) {
    const ErrorClass = typeof kind === 'string' ? RangeError : TypeError;
    throw new ErrorClass(
      `Expected \`kind\` to be ${storageKinds.map((name) => JSON.stringify(name)).join(' or ')}, got ${describeValue(kind)}`,
    );
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `Expected \`options\` to be an object with a \`path\`, got ${describeValue(options)}`,
    );
  }
  const { path, ...fileOptions } = options as Record<string, unknown>;
  return new FileStorage(path as string, fileOptions);
}
