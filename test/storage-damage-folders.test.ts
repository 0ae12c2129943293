/**
 * Damage to the store's folders: a workflow folder or `bigdata` that is a file is reported by
 * the save as a StorageAccessError naming the file (never deleted); and the sweep of crash
 * leftovers deletes only names the store itself makes, never a user's `.trash-userfolder`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, ResultNotSavedError, StorageAccessError } from 'functionfuse';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STALE_FILE_AGE_MS } from '../src/storage/stale-file-sweep.js';
import { rejection, runOnce, storageBackends } from './fixtures/storage-backends.js';
import { captureWarnings, filesMatching } from './fixtures/storage-helpers.js';
import { sum } from './fixtures/tasks.js';
import { filled } from './fixtures/thread-tasks.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'functionfuse-storage-folders-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const fileInTheWay =
  'A file stands where FileStorage needs a folder: move or remove it (FileStorage never deletes what it did not write).';

/** Leftovers of the shapes the store makes, and look-alikes a user made; all older than the sweep's limit. */
function plantLeftovers(root: string): { ours: string[]; theirs: string[] } {
  const workflow = join(root, 'wf');
  const bigdata = join(workflow, 'bigdata');
  mkdirSync(bigdata, { recursive: true });
  const ours = [
    join(root, '.trash-0123456789abcdef'),
    join(workflow, '.n.ffr.0123456789abcdef.tmp'),
    join(bigdata, 'n.0123456789abcdef.0.raw'),
  ];
  const theirs = [
    join(root, '.trash-userfolder'),
    join(root, '.trash-0123456789abcdef-backup'),
    join(workflow, '.notes.tmp'),
    join(workflow, '.my.ffr.draft.tmp'),
    join(bigdata, 'photo.raw'),
    join(bigdata, 'n.v2.0.raw'),
  ];
  for (const path of [...ours, ...theirs]) {
    if (path.includes('.trash-')) {
      mkdirSync(path);
      writeFileSync(join(path, 'keep.txt'), 'mine');
    } else {
      writeFileSync(path, 'mine');
    }
    const old = (Date.now() - 2 * STALE_FILE_AGE_MS) / 1000;
    utimesSync(path, old, old);
  }
  return { ours, theirs };
}

describe('the sweep of crash leftovers', () => {
  it('deletes only names of the shapes the store makes', async () => {
    const root = join(folder, 'store');
    const { ours, theirs } = plantLeftovers(root);
    await new FileStorage(root).newWorkflow('wf');
    expect(ours.filter((path) => existsSync(path))).toEqual([]);
    expect(theirs.filter((path) => existsSync(path))).toEqual(theirs);
    expect(readFileSync(join(root, '.trash-userfolder', 'keep.txt'), 'utf8')).toBe('mine');
  });
});

describe.each(storageBackends)('damaged folders on %s', (_, create) => {
  const store = () => join(folder, 'store');

  it("a run leaves the user's .trash-userfolder in the store root alone", async () => {
    const { theirs } = plantLeftovers(store());
    expect(await runOnce(create(sum(1, 2).setName('three'), 'wf').setStorage(new FileStorage(store())))).toBe(
      3,
    );
    expect(theirs.filter((path) => existsSync(path))).toEqual(theirs);
  });

  it('a file in place of the workflow folder: the run rejects naming it (EEXIST), and the file is kept', async () => {
    mkdirSync(store());
    writeFileSync(join(store(), 'wf'), 'mine');
    const error = await rejection(
      runOnce(create(sum(1, 2).setName('three'), 'wf').setStorage(new FileStorage(store()))),
    );
    expect(error).toBeInstanceOf(StorageAccessError);
    expect(error.message).toBe(
      `FileStorage could not create the folder ${join(store(), 'wf')} (EEXIST: a file has this name). ${fileInTheWay}`,
    );
    expect(readFileSync(join(store(), 'wf'), 'utf8')).toBe('mine');
  });

  it('a file in place of bigdata: its parts read as missing (warned), and the save names the file', async () => {
    const storage = new FileStorage(store());
    const graph = () => filled(16_384, 2).setName('big');
    await runOnce(create(graph(), 'wf').setStorage(storage));
    const bigdata = join(store(), 'wf', 'bigdata');
    const [bigPart] = await filesMatching(store(), /bigdata[/\\]big\..*\.raw$/);
    rmSync(bigdata, { recursive: true });
    writeFileSync(bigdata, 'mine');
    const warnings = captureWarnings();
    let error: Error;
    try {
      error = await rejection(runOnce(create(graph(), 'wf').setStorage(storage)));
    } finally {
      warnings.restore();
    }
    expect(warnings.messages).toEqual([
      `FUNCTIONFUSE_CORRUPT_RESULT: The stored result of node "big" in workflow "wf" failed its check ` +
        `(missing-raw-part, ${bigPart}); the node runs again and its result is saved again.`,
    ]);
    expect(error).toBeInstanceOf(ResultNotSavedError);
    expect(error.cause).toMatchObject({
      name: 'StorageAccessError',
      operation: 'create-folder',
      path: bigdata,
    });
    expect(error.message).toBe(
      'Node "big" of workflow "wf" computed its result, but the result could not be saved: ' +
        `FileStorage could not create the folder ${bigdata} (ENOTDIR: not a directory). ${fileInTheWay}`,
    );
    expect(readFileSync(bigdata, 'utf8')).toBe('mine');
    expect(await readdir(join(store(), 'wf'))).not.toContainEqual(expect.stringMatching(/\.tmp$/));
  });
});
