/**
 * A save split in two, as ThreadWorkflow does it: a record composed and sealed (encoded and
 * checksummed) in one place, written by `saveSealed` in another. What is written must read back
 * exactly like a plain `save`, and the reader must never trust the sealer's checksum blindly.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStorage } from '../src/storage/file-storage.js';
import { composeRecord, sealRecord } from '../src/storage/sealed-record.js';
import { CorruptStoredResultError, UnstorableResultError } from '../src/storage/storage-errors.js';
import { RAW_PART_MIN_BYTES } from '../src/storage/value-codec.js';
import { filesMatching, useTempFolders } from './fixtures/storage-helpers.js';

describe('FileStorage.saveSealed', () => {
  const makeFolder = useTempFolders();

  it('writes a record that reads back like one saved with save, raw parts included', async () => {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    const big = new Float64Array(RAW_PART_MIN_BYTES / 8).map((_, index) => index / 3);
    const value = { big, small: new Int16Array([1, -2, 3]), when: new Date(5), tags: new Set(['a']) };
    await storage.saveSealed('demo', 'model', sealRecord(composeRecord('demo', 'model', value)));
    await storage.save('demo', 'plain', value);
    const sealed = await storage.readTask('demo', 'model');
    expect(sealed).toEqual(value);
    expect(sealed).toEqual(await storage.readTask('demo', 'plain'));
    expect(await filesMatching(folder, /^demo\/bigdata\/model\.[0-9a-f]{16}\.0\.raw$/)).toHaveLength(1);
  });

  it('replaces an earlier record and deletes its raw parts', async () => {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    const seal = (fill: number) =>
      sealRecord(composeRecord('demo', 'n', new Float64Array(RAW_PART_MIN_BYTES / 8).fill(fill)));
    await storage.saveSealed('demo', 'n', seal(1));
    await storage.saveSealed('demo', 'n', seal(2));
    expect(await storage.readTask('demo', 'n')).toEqual(new Float64Array(RAW_PART_MIN_BYTES / 8).fill(2));
    expect(await filesMatching(folder, /\.raw$/)).toHaveLength(1);
  });

  it('refuses a record sealed for another node or workflow, naming both', async () => {
    const storage = new FileStorage(await makeFolder());
    const record = sealRecord(composeRecord('demo', 'train', 1));
    await expect(storage.saveSealed('demo', 'test', record)).rejects.toThrow(
      new TypeError(
        'Expected a record sealed for node "test" of workflow "demo", got one for node "train" of workflow "demo"',
      ),
    );
    await expect(storage.saveSealed('other', 'train', record)).rejects.toThrow(TypeError);
    expect(await storage.listTasks('demo')).toEqual([]);
  });

  it("checks the sealer's checksum on read: a record sealed over other bytes reads as corrupt", async () => {
    const storage = new FileStorage(await makeFolder());
    const big = new Uint8Array(RAW_PART_MIN_BYTES).fill(7);
    const record = sealRecord(composeRecord('demo', 'n', big));
    big[100] = 8; // changed after sealing, as a careless caller might
    await storage.saveSealed('demo', 'n', record);
    const read = storage.readTask('demo', 'n');
    await expect(read).rejects.toBeInstanceOf(CorruptStoredResultError);
    await expect(read).rejects.toMatchObject({ reason: 'checksum-mismatch', nodeName: 'n' });
  });

  it.each([
    ['save', (storage: FileStorage, value: unknown) => storage.save('demo', 'n', value)],
    [
      'saveSealed',
      (storage: FileStorage, value: unknown) =>
        storage.saveSealed('demo', 'n', sealRecord(composeRecord('demo', 'n', value))),
    ],
  ])('%s: a write that fails keeps the previous record and leaves no file behind', async (_, save) => {
    const folder = await makeFolder();
    await new FileStorage(folder).save('demo', 'n', 'previous');
    // The raw parts' folder cannot be created: a file is in its way.
    await writeFile(join(folder, 'demo', 'bigdata'), 'in the way');
    const storage = new FileStorage(folder);
    await expect(save(storage, new Float64Array(RAW_PART_MIN_BYTES / 8))).rejects.toMatchObject({
      code: expect.stringMatching(/^(EEXIST|ENOTDIR)$/),
    });
    expect(await storage.readTask('demo', 'n')).toBe('previous');
    expect(await filesMatching(folder, /./)).toEqual([
      join(folder, 'demo', 'bigdata'),
      join(folder, 'demo', 'n.ffr'),
    ]);
  });

  it('refuses to compose a record of what structured clone cannot copy, naming the node', () => {
    expect(() => composeRecord('demo', 'f', { fn: () => 1 })).toThrow(UnstorableResultError);
    expect(() => composeRecord('demo', 'f', { fn: () => 1 })).toThrow(/node "f" in workflow "demo"/);
  });
});
