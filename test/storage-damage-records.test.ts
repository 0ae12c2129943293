/**
 * Damage to the store's own files is corruption like a failed checksum: a FIFO, a folder or a
 * symbolic link in place of a record or a raw part, a record the file system will not read,
 * and a record grown past 2 GiB are never read as results. The node runs again with a warning
 * naming it and the path, and its save replaces the damage; nothing hangs. On both backends.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, ResultNotSavedError, StorageAccessError } from 'functionfuse';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { injectFault, systemError } from './fixtures/fs-faults.js';
import { rejection, runOnce, storageBackends } from './fixtures/storage-backends.js';
import { captureWarnings, filesMatching } from './fixtures/storage-helpers.js';
import { minus, record, sum } from './fixtures/tasks.js';
import { filled, scale } from './fixtures/thread-tasks.js';
import { ExecutionLog } from './support/backends.js';

let folder: string;
let log: ExecutionLog;
const fifos: string[] = [];
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'functionfuse-storage-damage-'));
  log = new ExecutionLog();
});
afterEach(() => {
  // Without the fix a read would wait for a writer forever: be that writer, so nothing stays blocked.
  for (const fifo of fifos.splice(0)) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {}
  }
  log.remove();
  rmSync(folder, { recursive: true, force: true });
});

function makeFifo(path: string): void {
  unlinkSync(path);
  execFileSync('mkfifo', [path]);
  fifos.push(path);
}

/** `promise`, or a rejection once `ms` have passed: a hang fails the test instead of stalling it. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const corruptWarning = (node: string, reason: string, path: string) =>
  `FUNCTIONFUSE_CORRUPT_RESULT: The stored result of node "${node}" in workflow "damaged" failed its check ` +
  `(${reason}, ${path}); the node runs again and its result is saved again.`;

describe.each(storageBackends)('damage to the store on %s', (_, create) => {
  const store = () => join(folder, 'store');
  const pipeline = () => {
    const s1 = record(log.path, 's1', sum(1, 1).setName('sum 1')).setName('s1');
    const s2 = record(log.path, 's2', sum(s1, 1).setName('sum 2')).setName('s2');
    return record(log.path, 'm', minus(s1, s2).setName('minus')).setName('m');
  };
  const bigPipeline = () => scale(filled(16_384, 2).setName('big'), 3).setName('scaled');

  /** Runs the pipeline, damages what `damage` is given, reruns; returns the rerun's warnings. */
  async function damagedRerun(damage: (recordPath: string) => void): Promise<string[]> {
    const storage = new FileStorage(store());
    await runOnce(create(pipeline(), 'damaged').setStorage(storage));
    damage(join(store(), 'damaged', 's2.ffr'));
    const warnings = captureWarnings();
    try {
      expect(await within(30_000, runOnce(create(pipeline(), 'damaged').setStorage(storage)))).toBe(-1);
    } finally {
      warnings.restore();
    }
    expect(log.entries()).toEqual(['s1', 's2', 'm', 's2']);
    expect(await storage.readTask('damaged', 's2')).toBe(3);
    expect(lstatSync(join(store(), 'damaged', 's2.ffr')).isFile()).toBe(true);
    return warnings.messages;
  }

  it('a FIFO in place of a record is never opened: the node runs again and its save replaces it', async () => {
    const path = join(store(), 'damaged', 's2.ffr');
    expect(await damagedRerun(makeFifo)).toEqual([corruptWarning('s2', 'not-a-file', path)]);
  });

  it('a FIFO in place of a raw part is never opened: the node runs again and its save replaces it', async () => {
    const storage = new FileStorage(store());
    await runOnce(create(bigPipeline(), 'damaged').setStorage(storage));
    const [part] = await filesMatching(store(), /bigdata[/\\]big\..*\.raw$/);
    makeFifo(part as string);
    const warnings = captureWarnings();
    try {
      const rerun = within(30_000, runOnce(create(bigPipeline(), 'damaged').setStorage(storage)));
      expect(await rerun).toEqual(new Float64Array(16_384).fill(6));
    } finally {
      warnings.restore();
    }
    expect(warnings.messages).toEqual([corruptWarning('big', 'not-a-file', part as string)]);
    expect(await storage.readTask('damaged', 'big')).toEqual(new Float64Array(16_384).fill(2));
  });

  it('an empty folder in place of a record: run again, warned, and replaced', async () => {
    const damage = (path: string) => {
      unlinkSync(path);
      mkdirSync(path);
    };
    const path = join(store(), 'damaged', 's2.ffr');
    expect(await damagedRerun(damage)).toEqual([corruptWarning('s2', 'not-a-file', path)]);
  });

  it('a folder with files in place of a record is never emptied: the save names it (EISDIR)', async () => {
    const storage = new FileStorage(store());
    await runOnce(create(pipeline(), 'damaged').setStorage(storage));
    const path = join(store(), 'damaged', 's2.ffr');
    unlinkSync(path);
    mkdirSync(path);
    writeFileSync(join(path, 'keep.txt'), 'mine');
    const warnings = captureWarnings();
    let error: Error;
    try {
      error = await rejection(within(30_000, runOnce(create(pipeline(), 'damaged').setStorage(storage))));
    } finally {
      warnings.restore();
    }
    expect(warnings.messages).toEqual([corruptWarning('s2', 'not-a-file', path)]);
    expect(error).toBeInstanceOf(ResultNotSavedError);
    expect(error.cause).toBeInstanceOf(StorageAccessError);
    expect(error.cause).toMatchObject({ operation: 'rename', path, code: 'EISDIR' });
    expect(readFileSync(join(path, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('a record the file system will not read (EACCES) is run again, warned, and replaced', async () => {
    const path = join(store(), 'damaged', 's2.ffr');
    let restore = () => {};
    try {
      const warnings = await damagedRerun(() => {
        // Only this file is unreadable: the one the rerun's save puts in its place is not.
        const damaged = lstatSync(path).ino;
        restore = injectFault('open', (opened) =>
          opened === path && lstatSync(path, { throwIfNoEntry: false })?.ino === damaged
            ? systemError('EACCES', 'permission denied', 'open', opened)
            : undefined,
        );
      });
      expect(warnings).toEqual([corruptWarning('s2', 'unreadable', path)]);
    } finally {
      restore();
    }
  });

  it('a record grown past 2 GiB (a sparse file) is refused from its header, run again, and replaced', async () => {
    const path = join(store(), 'damaged', 's2.ffr');
    expect(await damagedRerun((recordPath) => truncateSync(recordPath, 2 ** 31 + 100))).toEqual([
      corruptWarning('s2', 'length-mismatch', path),
    ]);
  });

  it('a symbolic link in place of a record is not followed: run again, and the link (not its target) replaced', async () => {
    const outside = join(folder, 'outside.ffr');
    const path = join(store(), 'damaged', 's2.ffr');
    const warnings = await damagedRerun((recordPath) => {
      copyFileSync(recordPath, outside);
      unlinkSync(recordPath);
      symlinkSync(outside, recordPath);
    });
    expect(warnings).toEqual([corruptWarning('s2', 'not-a-file', path)]);
    expect(lstatSync(outside).isFile()).toBe(true);
    expect(readFileSync(outside).subarray(0, 8).toString('latin1')).toBe('FFUSEREC');
  });

  it('a symbolic link to a folder is followed: bigdata may live on another disk', async () => {
    const elsewhere = join(folder, 'other-disk');
    mkdirSync(elsewhere);
    mkdirSync(join(store(), 'damaged'), { recursive: true });
    symlinkSync(elsewhere, join(store(), 'damaged', 'bigdata'));
    const storage = new FileStorage(store());
    await runOnce(create(bigPipeline(), 'damaged').setStorage(storage));
    expect(await filesMatching(elsewhere, /\.raw$/)).toHaveLength(2);
    const second = create(bigPipeline(), 'damaged').setStorage(storage);
    const cached: string[] = [];
    second.on('node-cached', (event) => cached.push(event.node));
    expect(await runOnce(second)).toEqual(new Float64Array(16_384).fill(6));
    expect(cached.sort()).toEqual(['big', 'scaled']);
  });
});

describe('FileStorage.readTask on damage', () => {
  const makeStorage = () => new FileStorage(join(folder, 'store'));

  it.each([
    [
      'a FIFO',
      (path: string) => makeFifo(path),
      'not-a-file',
      'the record is a named pipe (FIFO), not a file',
    ],
    [
      'a folder',
      (path: string) => {
        unlinkSync(path);
        mkdirSync(path);
      },
      'not-a-file',
      'the record is a directory, not a file',
    ],
    [
      'a sparse file of 3 GiB of zeros',
      (path: string) => {
        writeFileSync(path, '');
        truncateSync(path, 3 * 2 ** 30);
      },
      'bad-header',
      'the file does not start with the functionfuse record magic',
    ],
  ])('%s in place of a record: CorruptStoredResultError', async (_, damage, reason, detail) => {
    const storage = makeStorage();
    await storage.save('wf', 'n', 1);
    const path = join(folder, 'store', 'wf', 'n.ffr');
    damage(path);
    expect(await storage.listTasks('wf')).toEqual(['n']);
    expect(await storage.fileExists('wf', 'n')).toBe(true);
    const error = await rejection(within(30_000, storage.readTask('wf', 'n')));
    expect(error).toMatchObject({ name: 'CorruptStoredResultError', reason, filePath: path });
    expect(error.message).toBe(
      `Stored result of node "n" in workflow "wf" is corrupt (${reason}): ${detail} (${path})`,
    );
  });
});
