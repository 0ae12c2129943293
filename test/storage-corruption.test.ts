import { appendFile, copyFile, open, readFile, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FunctionFuseError } from '../src/errors.js';
import { FileStorage } from '../src/storage/file-storage.js';
import { CHECKSUM_LENGTH, FIXED_HEADER_LENGTH } from '../src/storage/record-format.js';
import { type CorruptionReason, CorruptStoredResultError } from '../src/storage/storage-errors.js';
import { RAW_PART_MIN_BYTES } from '../src/storage/value-codec.js';
import { bytesOf, filesMatching, useTempFolders } from './fixtures/storage-helpers.js';

async function flipByte(path: string, position: number): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, position);
    byte[0] = (byte[0] as number) ^ 0x40;
    await file.write(byte, 0, 1, position);
  } finally {
    await file.close();
  }
}

describe('FileStorage integrity checks', () => {
  const makeFolder = useTempFolders();

  /** A storage holding node "n" of workflow "wf": a small object and one large raw part. */
  async function stored() {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    const value = { label: 'weights', weights: new Float64Array(RAW_PART_MIN_BYTES / 8).fill(0.25) };
    await storage.save('wf', 'n', value);
    const recordPath = join(folder, 'wf', 'n.ffr');
    const [partPath] = await filesMatching(folder, /\.raw$/);
    if (partPath === undefined) throw new Error('the test needs a raw part');
    return { storage, value, recordPath, partPath };
  }

  async function expectCorrupt(
    storage: FileStorage,
    reason: CorruptionReason,
    filePath: string,
    detail: RegExp,
  ): Promise<void> {
    const reading = storage.readTask('wf', 'n');
    await expect(reading).rejects.toBeInstanceOf(CorruptStoredResultError);
    await expect(reading).rejects.toBeInstanceOf(FunctionFuseError);
    await expect(reading).rejects.toMatchObject({
      name: 'CorruptStoredResultError',
      workflowName: 'wf',
      nodeName: 'n',
      reason,
      filePath,
    });
    const error = (await reading.catch((caught: unknown) => caught)) as Error;
    expect(
      error.message.startsWith(`Stored result of node "n" in workflow "wf" is corrupt (${reason}): `),
    ).toBe(true);
    expect(error.message).toMatch(detail);
    expect(error.message.endsWith(`(${filePath})`)).toBe(true);
  }

  it('reads an intact record', async () => {
    const { storage, value } = await stored();
    const read = (await storage.readTask('wf', 'n')) as typeof value;
    expect(read.label).toBe('weights');
    expect(bytesOf(read.weights).equals(bytesOf(value.weights))).toBe(true);
  });

  it('detects one flipped byte in the payload of the main record', async () => {
    const { storage, recordPath } = await stored();
    const size = (await readFile(recordPath)).length;
    await flipByte(recordPath, size - CHECKSUM_LENGTH - 2);
    await expectCorrupt(
      storage,
      'checksum-mismatch',
      recordPath,
      /checksum over the record and its 1 raw part\(s\) does not match/,
    );
  });

  it('detects one flipped byte in the checksum itself', async () => {
    const { storage, recordPath } = await stored();
    const size = (await readFile(recordPath)).length;
    await flipByte(recordPath, size - 1);
    await expectCorrupt(storage, 'checksum-mismatch', recordPath, /does not match/);
  });

  it('detects one flipped byte in a raw part', async () => {
    const { storage, recordPath, partPath } = await stored();
    await flipByte(partPath, 12_345);
    await expectCorrupt(storage, 'checksum-mismatch', recordPath, /does not match/);
  });

  it('detects a flipped byte in the magic as a bad header', async () => {
    const { storage, recordPath } = await stored();
    await flipByte(recordPath, 2);
    await expectCorrupt(
      storage,
      'bad-header',
      recordPath,
      /does not start with the functionfuse record magic/,
    );
  });

  it('detects broken metadata as a bad header', async () => {
    const { storage, recordPath } = await stored();
    await flipByte(recordPath, FIXED_HEADER_LENGTH); // the opening brace of the JSON
    await expectCorrupt(storage, 'bad-header', recordPath, /the metadata is not JSON/);
  });

  it('refuses a record of another format version', async () => {
    const { storage, recordPath } = await stored();
    await flipByte(recordPath, 8);
    await expectCorrupt(
      storage,
      'unsupported-version',
      recordPath,
      /record format version 65; this functionfuse reads version 1/,
    );
  });

  it.each([
    ['to nothing', 0, /the record has 0 bytes, less than its header/],
    ['inside the header', 10, /the record has 10 bytes, less than its header/],
    ['by one byte', -1, /the record has \d+ bytes, its header says \d+/],
  ])('detects a main record truncated %s', async (_, length, detail) => {
    const { storage, recordPath } = await stored();
    const size = (await readFile(recordPath)).length;
    await truncate(recordPath, length >= 0 ? length : size + length);
    await expectCorrupt(storage, 'truncated', recordPath, detail);
  });

  it('detects trailing bytes after the record', async () => {
    const { storage, recordPath } = await stored();
    await appendFile(recordPath, 'x');
    await expectCorrupt(storage, 'length-mismatch', recordPath, /its header says/);
  });

  it('detects a truncated raw part, naming the part', async () => {
    const { storage, partPath } = await stored();
    await truncate(partPath, RAW_PART_MIN_BYTES - 8);
    await expectCorrupt(
      storage,
      'truncated',
      partPath,
      new RegExp(`raw part 0 has ${RAW_PART_MIN_BYTES - 8} bytes, the record says ${RAW_PART_MIN_BYTES}`),
    );
  });

  it('detects a raw part that grew', async () => {
    const { storage, partPath } = await stored();
    await appendFile(partPath, Buffer.alloc(8));
    await expectCorrupt(storage, 'length-mismatch', partPath, /raw part 0 has/);
  });

  it('detects a missing raw part', async () => {
    const { storage, partPath } = await stored();
    await unlink(partPath);
    await expectCorrupt(storage, 'missing-raw-part', partPath, /raw part 0 is not on disk/);
  });

  it("detects a record copied over another node's", async () => {
    const { storage, recordPath } = await stored();
    await storage.save('wf', 'other', 1);
    await copyFile(join(recordPath, '..', 'other.ffr'), recordPath);
    await expectCorrupt(
      storage,
      'name-mismatch',
      recordPath,
      /the record belongs to node "other" of workflow "wf"/,
    );
  });

  it('fileExists only looks: a corrupt record exists, a new save makes it readable again', async () => {
    const { storage, recordPath, value } = await stored();
    await writeFile(recordPath, 'garbage');
    // Documented: fileExists is one stat; workflows call readTask and treat
    // CorruptStoredResultError as "run the node again".
    expect(await storage.fileExists('wf', 'n')).toBe(true);
    await expectCorrupt(storage, 'bad-header', recordPath, /magic/);
    await storage.save('wf', 'n', value);
    const read = (await storage.readTask('wf', 'n')) as typeof value;
    expect(bytesOf(read.weights).equals(bytesOf(value.weights))).toBe(true);
    expect(await storage.listTasks('wf')).toEqual(['n']);
  });
});
