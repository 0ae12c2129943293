import { readdir } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileStorage } from '../src/storage/file-storage.js';
import {
  decodeStorageKey,
  encodeStorageKey,
  isHashedStorageKey,
  MAX_READABLE_KEY_LENGTH,
} from '../src/storage/storage-key.js';
import { RAW_PART_MIN_BYTES } from '../src/storage/value-codec.js';
import { useTempFolders, walk } from './fixtures/storage-helpers.js';

const hostileNames = [
  '../../etc/passwd',
  '..',
  '.',
  '',
  ' ',
  '...',
  'a/b',
  'a\\b',
  '/absolute',
  'C:\\Windows',
  'con',
  'CON',
  'nul.txt',
  'com1',
  'lpt9',
  'trailing dot.',
  'trailing space ',
  'Model',
  'model',
  'MODEL',
  'sum_0000',
  'iris, SVC-model',
  'tab\tnew\nline',
  'nul\0byte',
  'percent %41 %u0041 %',
  'tilde~not~hashed',
  'bigdata',
  '.ffr',
  'x.ffr',
  'x.0123456789abcdef.0.raw',
  '.x.ffr.0123456789abcdef.tmp',
  'ünïcödé',
  'Ω≈ç√',
  '日本語のノード',
  '🦀 emoji 👩‍👩‍👧',
  'lone \ud800 surrogate',
  'é'.repeat(200), // 400 UTF-8 bytes
  'x'.repeat(300),
  `${'x'.repeat(300)}2`,
  'a/'.repeat(200),
  'metadata longer than a page '.repeat(200),
];

describe('FileStorage names', () => {
  const makeFolder = useTempFolders();

  it('keeps every file inside the storage folder and round-trips every name', async () => {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    const workflows = ['../../escape', 'CON', '', 'wf/with/slashes', 'x'.repeat(400)];
    for (const workflowName of workflows) {
      await storage.newWorkflow(workflowName);
      for (const [index, nodeName] of hostileNames.entries()) {
        // Every fifth node gets a raw part, so raw part names are exercised too.
        const value = index % 5 === 0 ? new Uint8Array(RAW_PART_MIN_BYTES).fill(index) : { nodeName, index };
        await storage.save(workflowName, nodeName, value);
      }
    }

    const paths = await walk(folder);
    expect(paths.length).toBeGreaterThan(workflows.length * hostileNames.length);
    for (const path of paths) {
      const inside = relative(folder, path);
      expect(inside.startsWith('..'), path).toBe(false);
      expect(inside.split(sep).length, path).toBeLessThanOrEqual(3); // <workflow>/bigdata/<part>
      for (const component of inside.split(sep)) {
        expect(Buffer.byteLength(component), component).toBeLessThanOrEqual(255);
        // Portable on Windows, macOS and Linux: no reserved characters, no trailing dot or space.
        expect(component, component).toMatch(/^[A-Za-z0-9_%~.-]+$/);
        expect(component.endsWith('.'), component).toBe(false);
      }
    }
    // Two names differing only in case never share a file on a case-insensitive filesystem.
    const lowered = paths.map((path) => path.toLowerCase());
    expect(new Set(lowered).size).toBe(paths.length);

    const sortedNames = [...new Set(hostileNames)].sort();
    for (const workflowName of workflows) {
      expect(await storage.listTasks(workflowName)).toEqual(sortedNames);
      for (const [index, nodeName] of hostileNames.entries()) {
        const read = await storage.readTask(workflowName, nodeName);
        if (index % 5 === 0) {
          // Compared as a Buffer: vitest's deep equality walks 64 Ki elements one by one.
          expect(read).toBeInstanceOf(Uint8Array);
          expect(Buffer.from(read as Uint8Array).equals(Buffer.alloc(RAW_PART_MIN_BYTES, index))).toBe(true);
        } else {
          expect(read).toStrictEqual({ nodeName, index });
        }
        expect(await storage.fileExists(workflowName, nodeName)).toBe(true);
      }
    }
    expect((await readdir(folder)).sort()).toEqual(workflows.map(encodeStorageKey).sort());
  });

  it('encodes names reversibly into portable keys', () => {
    expect(encodeStorageKey('sum_0000')).toBe('sum_0000');
    expect(encodeStorageKey('../etc/passwd')).toBe('%2E%2E%2Fetc%2Fpasswd');
    expect(encodeStorageKey('Model')).toBe('%4Dodel');
    expect(encodeStorageKey('con')).toBe('%63on');
    expect(encodeStorageKey('')).toBe('%');
    expect(encodeStorageKey('é')).toBe('%E9');
    expect(encodeStorageKey('日')).toBe('%u65E5');
    expect(decodeStorageKey('%u65E5%4Dodel')).toBe('日Model');
    // Foreign files are not taken for records.
    expect(decodeStorageKey('%4dodel')).toBeUndefined();
    expect(decodeStorageKey('con')).toBeUndefined();
    expect(decodeStorageKey('Model')).toBeUndefined();
    expect(decodeStorageKey('%zz')).toBeUndefined();

    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (a, b) => {
          const keyA = encodeStorageKey(a);
          expect(keyA).toMatch(/^[a-z0-9_%A-Fu~-]+$/);
          expect(keyA.length).toBeLessThanOrEqual(MAX_READABLE_KEY_LENGTH);
          if (!isHashedStorageKey(keyA)) expect(decodeStorageKey(keyA)).toBe(a);
          if (a !== b) expect(keyA.toLowerCase()).not.toBe(encodeStorageKey(b).toLowerCase());
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('hashes long names into short keys that stay distinct', () => {
    const long = 'é'.repeat(100);
    const key = encodeStorageKey(long);
    expect(isHashedStorageKey(key)).toBe(true);
    expect(key).toMatch(/^(%E9){26}~[0-9a-f]{32}$/); // cut before a split escape
    expect(decodeStorageKey(key)).toBeUndefined();
    expect(encodeStorageKey(`${long}x`)).not.toBe(key);
    expect(encodeStorageKey('x'.repeat(MAX_READABLE_KEY_LENGTH))).toBe('x'.repeat(MAX_READABLE_KEY_LENGTH));
    expect(isHashedStorageKey(encodeStorageKey('x'.repeat(MAX_READABLE_KEY_LENGTH + 1)))).toBe(true);
  });
});
