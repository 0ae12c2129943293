/**
 * A file system that refuses FileStorage (read-only, full, no permission, a file where a
 * folder belongs) gives a StorageAccessError naming FileStorage, the operation, the path and
 * the system code, with what to do; a run whose save fails says the node computed and its
 * result could not be saved. Real read-only and full file systems are tmpfs mounts, where this
 * process may mount; the same errors are injected into `fs` everywhere else.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, NodeExecutionError, ResultNotSavedError, StorageAccessError } from 'functionfuse';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canMountTmpfs, injectFault, mountTmpfs, systemError } from './fixtures/fs-faults.js';
import { storageBackends as backends, rejection, runOnce } from './fixtures/storage-backends.js';
import { sum } from './fixtures/tasks.js';
import { filled } from './fixtures/thread-tasks.js';

const scratch = mkdtempSync(join(tmpdir(), 'functionfuse-mount-probe-'));
const mayMount = canMountTmpfs(scratch);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'functionfuse-storage-access-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const advice = {
  EROFS:
    'The file system is mounted read-only: give FileStorage a folder on a writable file system, or remount this one read-write.',
  EACCES:
    "This process's user lacks the permission: grant it read and write access to the storage folder and everything in it, or give FileStorage another folder.",
  ENOSPC: 'The disk is full: free some space, or give FileStorage a folder on another disk.',
  EEXIST:
    'A file stands where FileStorage needs a folder: move or remove it (FileStorage never deletes what it did not write).',
};

describe('FileStorage names what the file system refused', () => {
  it.each([
    ['EROFS', 'read-only file system'],
    ['EACCES', 'permission denied'],
    ['ENOSPC', 'no space left on device'],
  ] as const)('a save refused with %s: operation, path, code and what to do', async (code, description) => {
    const storage = new FileStorage(join(folder, 'store'));
    await storage.newWorkflow('wf');
    const restore = injectFault('open', (path) =>
      path.endsWith('.tmp') ? systemError(code, description, 'open', path) : undefined,
    );
    let error: Error;
    try {
      error = await rejection(storage.save('wf', 'n', 1));
    } finally {
      restore();
    }
    expect(error).toBeInstanceOf(StorageAccessError);
    const { operation, path } = error as StorageAccessError;
    expect({ operation, code: (error as StorageAccessError).code }).toEqual({ operation: 'write', code });
    expect(path).toMatch(/[/\\]store[/\\]wf[/\\]\.n\.ffr\.[0-9a-f]{16}\.tmp$/);
    expect(error.message).toBe(
      `FileStorage could not write ${path} (${code}: ${description}). ${advice[code]}`,
    );
    expect((error.cause as Error).message).toBe(`${code}: ${description}, open '${path}'`);
    // Nothing half-written is left behind, and the store works again once the fault is gone.
    expect(await readdir(join(folder, 'store', 'wf'))).toEqual([]);
    await storage.save('wf', 'n', 1);
    expect(await storage.readTask('wf', 'n')).toBe(1);
  });

  it('names the file that stands where the workflow folder belongs (EEXIST)', async () => {
    const root = join(folder, 'store');
    mkdirSync(root);
    writeFileSync(join(root, 'wf'), 'not a folder');
    const error = await rejection(new FileStorage(root).newWorkflow('wf'));
    expect(error).toMatchObject({ name: 'StorageAccessError', operation: 'create-folder', code: 'EEXIST' });
    expect(error.message).toBe(
      `FileStorage could not create the folder ${join(root, 'wf')} (EEXIST: a file has this name). ${advice.EEXIST}`,
    );
  });

  it('names the file that stands where a parent of the storage folder belongs (ENOTDIR)', async () => {
    writeFileSync(join(folder, 'file'), 'not a folder');
    const error = await rejection(new FileStorage(join(folder, 'file', 'store')).newWorkflow('wf'));
    expect(error).toMatchObject({
      name: 'StorageAccessError',
      operation: 'create-folder',
      code: 'ENOTDIR',
      path: join(folder, 'file'),
    });
    expect(error.message).toBe(
      `FileStorage could not create the folder ${join(folder, 'file')} (ENOTDIR: not a directory). ${advice.EEXIST}`,
    );
  });

  it('names the file that stands where bigdata belongs, when a raw part is saved', async () => {
    const storage = new FileStorage(join(folder, 'store'));
    await storage.save('wf', 'small', 1);
    writeFileSync(join(folder, 'store', 'wf', 'bigdata'), 'not a folder');
    const error = await rejection(storage.save('wf', 'big', new Float64Array(16_384)));
    expect(error).toMatchObject({
      name: 'StorageAccessError',
      operation: 'create-folder',
      code: 'EEXIST',
      path: join(folder, 'store', 'wf', 'bigdata'),
    });
    // What does not need the folder still works.
    expect(await storage.readTask('wf', 'small')).toBe(1);
  });
});

describe.each(backends)('a save the file system refuses, on %s', (_, create) => {
  it('rejects the run with ResultNotSavedError: the node computed, its result could not be saved', async () => {
    const storage = new FileStorage(join(folder, 'store'));
    const restore = injectFault('open', (path) =>
      path.endsWith('.tmp') ? systemError('EACCES', 'permission denied', 'open', path) : undefined,
    );
    let error: Error;
    try {
      error = await rejection(
        runOnce(create(sum(1, 2).setName('sumAB_0001'), 'refused').setStorage(storage)),
      );
    } finally {
      restore();
    }
    expect(error).toBeInstanceOf(ResultNotSavedError);
    expect(error).toBeInstanceOf(NodeExecutionError);
    expect(error).toMatchObject({ nodeName: 'sumAB_0001', workflowName: 'refused' });
    const cause = error.cause as StorageAccessError;
    expect(cause).toBeInstanceOf(StorageAccessError);
    expect({ operation: cause.operation, code: cause.code }).toEqual({ operation: 'write', code: 'EACCES' });
    expect(error.message).toBe(
      'Node "sumAB_0001" of workflow "refused" computed its result, but the result could not be saved: ' +
        `FileStorage could not write ${cause.path} (EACCES: permission denied). ${advice.EACCES}`,
    );
  });
});

describe.skipIf(!mayMount)('a real read-only and a real full file system (tmpfs mounts)', () => {
  let mount: ReturnType<typeof mountTmpfs> | undefined;
  afterEach(() => {
    mount?.unmount();
    mount = undefined;
  });

  it('a read-only folder: the real code (EROFS, not ENOENT) for a new workflow and for a save', async () => {
    mount = mountTmpfs(folder, 1024);
    const root = join(folder, 'store');
    const storage = new FileStorage(root);
    await storage.save('old', 'n', 1);
    mount.readOnly();
    const creating = await rejection(storage.newWorkflow('new'));
    expect(creating.message).toBe(
      `FileStorage could not create the folder ${join(root, 'new')} (EROFS: read-only file system). ${advice.EROFS}`,
    );
    const saving = (await rejection(storage.save('old', 'm', 2))) as StorageAccessError;
    expect({ name: saving.name, operation: saving.operation, code: saving.code }).toEqual({
      name: 'StorageAccessError',
      operation: 'write',
      code: 'EROFS',
    });
    // Reading needs no write: a read-only store still serves what it holds.
    await storage.newWorkflow('old');
    expect(await storage.readTask('old', 'n')).toBe(1);
  });

  it.each(backends)(
    '%s: a cached rerun works on a read-only store, a save fails naming EROFS',
    async (_, create) => {
      mount = mountTmpfs(folder, 1024);
      const storage = new FileStorage(join(folder, 'store'));
      await runOnce(create(sum(1, 2).setName('three'), 'ro').setStorage(storage));
      mount.readOnly();
      expect(await runOnce(create(sum(1, 2).setName('three'), 'ro').setStorage(storage))).toBe(3);
      const error = await rejection(
        runOnce(create(sum(2, 2).setName('sumAB_0001'), 'ro').setStorage(storage)),
      );
      expect(error).toBeInstanceOf(ResultNotSavedError);
      expect(error.message).toMatch(
        /^Node "sumAB_0001" of workflow "ro" computed its result, but the result could not be saved: FileStorage could not write .*\.tmp \(EROFS: read-only file system\)\. The file system is mounted read-only/,
      );
    },
  );

  it.each(backends)(
    '%s: a full disk fails the save naming ENOSPC, and leaves no partial file',
    async (_, create) => {
      mount = mountTmpfs(folder, 256);
      const storage = new FileStorage(join(folder, 'store'));
      // 1 MiB of raw part into 256 KiB.
      const error = await rejection(
        runOnce(create(filled(131_072, 1).setName('big'), 'full').setStorage(storage)),
      );
      expect(error).toBeInstanceOf(ResultNotSavedError);
      const cause = error.cause as StorageAccessError;
      expect({ operation: cause.operation, code: cause.code }).toEqual({
        operation: 'write',
        code: 'ENOSPC',
      });
      expect(cause.path).toMatch(/[/\\]bigdata[/\\]big\.[0-9a-f]{16}\.0\.raw$/);
      expect(cause.message).toContain(`(ENOSPC: no space left on device). ${advice.ENOSPC}`);
      expect(await readdir(join(folder, 'store', 'full', 'bigdata'))).toEqual([]);
    },
  );
});
