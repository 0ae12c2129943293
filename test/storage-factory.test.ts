import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStorage } from '../src/storage/file-storage.js';
import { isStorage } from '../src/storage/storage.js';
import { type StorageConfig, storageFactory } from '../src/storage/storage-factory.js';

/** Calls with a deliberately wrong config, past the type checker. */
const build = (config: unknown) => storageFactory(config as StorageConfig);

describe('storageFactory and FileStorage options', () => {
  it('builds a FileStorage from a file config', () => {
    const storage = storageFactory({ kind: 'file', options: { path: './store', alwaysRead: true } });
    expect(storage).toBeInstanceOf(FileStorage);
    expect(isStorage(storage)).toBe(true);
    expect((storage as FileStorage).path).toBe(resolve('./store'));
    expect(storage.alwaysRead).toBe(true);
    expect((storage as FileStorage).durable).toBe(true);
  });

  it('applies the defaults and lets alwaysRead change later', () => {
    const storage = new FileStorage('relative/store');
    expect(storage.path).toBe(resolve('relative/store'));
    expect(storage.alwaysRead).toBe(false);
    expect(storage.durable).toBe(true);
    storage.alwaysRead = true;
    expect(storage.alwaysRead).toBe(true);
    expect(new FileStorage('s', { durable: false }).durable).toBe(false);
  });

  it.each([
    [
      3,
      TypeError,
      "Expected the storage config to be an object like { kind: 'file', options: { path } }, got 3 (number)",
    ],
    [
      null,
      TypeError,
      "Expected the storage config to be an object like { kind: 'file', options: { path } }, got null",
    ],
    [{ kind: 's3', options: { path: 'x' } }, RangeError, 'Expected `kind` to be "file", got "s3" (string)'],
    [
      { kind: 'File', options: { path: 'x' } },
      RangeError,
      'Expected `kind` to be "file", got "File" (string)',
    ],
    [{ options: { path: 'x' } }, TypeError, 'Expected `kind` to be "file", got undefined'],
    [{ kind: 'file' }, TypeError, 'Expected `options` to be an object with a `path`, got undefined'],
    [
      { kind: 'file', options: 'x' },
      TypeError,
      'Expected `options` to be an object with a `path`, got "x" (string)',
    ],
    [{ kind: 'file', options: {} }, TypeError, 'Expected `path` to be a non-empty string, got undefined'],
    [
      { kind: 'file', options: { path: 3 } },
      TypeError,
      'Expected `path` to be a non-empty string, got 3 (number)',
    ],
    [
      { kind: 'file', options: { path: '' } },
      TypeError,
      'Expected `path` to be a non-empty string, got "" (string)',
    ],
    [
      { kind: 'file', options: { path: 'a\0b' } },
      TypeError,
      'Expected `path` to be a path without NUL characters, got "a\\u0000b" (string)',
    ],
    [
      { kind: 'file', options: { path: 'x', alwaysread: true } },
      TypeError,
      'Unknown FileStorage option `alwaysread` (did you mean `alwaysRead`?); known options: alwaysRead, durable',
    ],
    [
      { kind: 'file', options: { path: 'x', alwaysRead: 'yes' } },
      TypeError,
      'Expected `alwaysRead` to be a boolean, got "yes" (string)',
    ],
    [
      { kind: 'file', options: { path: 'x', durable: 1 } },
      TypeError,
      'Expected `durable` to be a boolean, got 1 (number)',
    ],
    [
      { kind: 'file', option: { path: 'x' } },
      TypeError,
      'Unknown storage config key `option` (did you mean `options`?); known keys: kind, options',
    ],
  ])('refuses %j', (config, ErrorClass, message) => {
    expect(() => build(config)).toThrow(new ErrorClass(message));
    expect(() => build(config)).toThrow(ErrorClass);
  });

  it('checks the constructor arguments the same way', () => {
    expect(() => new FileStorage(3 as unknown as string)).toThrow(
      new TypeError('Expected `path` to be a non-empty string, got 3 (number)'),
    );
    expect(() => new FileStorage('x', null as unknown as object)).toThrow(
      new TypeError('Expected FileStorage options to be an object, got null'),
    );
    expect(() => new FileStorage('x', { threads: 2 } as unknown as object)).toThrow(
      new TypeError('Unknown FileStorage option `threads`; known options: alwaysRead, durable'),
    );
  });
});
