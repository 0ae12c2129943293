import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStorage } from '../src/storage/file-storage.js';
import { STALE_FILE_AGE_MS } from '../src/storage/stale-file-sweep.js';
import { RAW_PART_MIN_BYTES } from '../src/storage/value-codec.js';
import { filesMatching, useTempFolders } from './fixtures/storage-helpers.js';

const large = () => new Float32Array(RAW_PART_MIN_BYTES / 4).fill(1);

/** Sets a file's modification time to `ageMs` ago. */
async function age(path: string, ageMs: number): Promise<void> {
  const then = new Date(Date.now() - ageMs);
  await utimes(path, then, then);
}

describe('FileStorage listing and removal', () => {
  const makeFolder = useTempFolders();

  // The original's classifier example: names like "<dataset>, <classifier>-model".
  const classifierNames = [
    'moons, SVC-model',
    'iris, SVC-model',
    'iris, SVC-score',
    'circles, Tree-model',
    'circles, Tree-score',
    'sum_0000',
    'sum_0001',
    'sum_00010',
    'a/b',
    'a.b+(c)',
    'a*b?',
  ];

  async function storageWithClassifiers() {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    await storage.newWorkflow('classifiers');
    for (const [index, name] of classifierNames.entries()) {
      await storage.save('classifiers', name, name.endsWith('model') ? { model: large() } : index);
    }
    return { folder, storage };
  }

  it('lists every stored name, sorted, as the user wrote it', async () => {
    const { storage } = await storageWithClassifiers();
    expect(await storage.listTasks('classifiers')).toEqual([...classifierNames].sort());
    expect(await storage.listTasks('classifiers', '*')).toEqual([...classifierNames].sort());
  });

  it('filters with * and ?, matching everything else literally', async () => {
    const { storage } = await storageWithClassifiers();
    expect(await storage.listTasks('classifiers', '*model')).toEqual([
      'circles, Tree-model',
      'iris, SVC-model',
      'moons, SVC-model',
    ]);
    expect(await storage.listTasks('classifiers', 'iris*')).toEqual(['iris, SVC-model', 'iris, SVC-score']);
    expect(await storage.listTasks('classifiers', 'sum_????')).toEqual(['sum_0000', 'sum_0001']);
    expect(await storage.listTasks('classifiers', 'a*')).toEqual(['a*b?', 'a.b+(c)', 'a/b']);
    expect(await storage.listTasks('classifiers', 'a?b')).toEqual(['a/b']);
    expect(await storage.listTasks('classifiers', 'a?b*')).toEqual(['a*b?', 'a.b+(c)', 'a/b']);
    expect(await storage.listTasks('classifiers', 'a.b+(c)')).toEqual(['a.b+(c)']);
    expect(await storage.listTasks('classifiers', 'a.b+c')).toEqual([]);
    expect(await storage.listTasks('classifiers', 'IRIS*')).toEqual([]);
    expect(await storage.listTasks('classifiers', '')).toEqual([]);
  });

  it('lists nothing for a workflow never stored', async () => {
    const storage = new FileStorage(await makeFolder());
    expect(await storage.listTasks('never')).toEqual([]);
  });

  it('lists records only: never temporary files, raw parts or foreign files', async () => {
    const { folder, storage } = await storageWithClassifiers();
    const workflowFolder = join(folder, 'classifiers');
    await writeFile(join(workflowFolder, '.crashed.ffr.0123456789abcdef.tmp'), 'partial');
    await writeFile(join(workflowFolder, 'README.txt'), 'notes');
    await writeFile(join(workflowFolder, 'Upper.ffr'), 'not an encoding we make');
    expect(await storage.listTasks('classifiers')).toEqual([...classifierNames].sort());
  });

  it("lists a folder with a record's name: it is damage, which readTask reports as corrupt", async () => {
    const { folder, storage } = await storageWithClassifiers();
    await mkdir(join(folder, 'classifiers', 'folder.ffr'));
    expect(await storage.listTasks('classifiers', 'folder')).toEqual(['folder']);
    await expect(storage.readTask('classifiers', 'folder')).rejects.toMatchObject({
      name: 'CorruptStoredResultError',
      reason: 'not-a-file',
    });
  });

  it('removes one task with its raw parts', async () => {
    const { folder, storage } = await storageWithClassifiers();
    expect(await filesMatching(folder, /^classifiers\/bigdata\/iris%2C%20%53%56%43-model\./)).toHaveLength(1);
    await storage.removeTask('classifiers', 'iris, SVC-model');
    expect(await storage.fileExists('classifiers', 'iris, SVC-model')).toBe(false);
    expect(await filesMatching(folder, /^classifiers\/bigdata\/iris%2C%20%53%56%43-model\./)).toEqual([]);
    expect(await filesMatching(folder, /\.raw$/)).toHaveLength(2);
    expect(await storage.listTasks('classifiers', '*model')).toEqual([
      'circles, Tree-model',
      'moons, SVC-model',
    ]);
    // Removing what is not stored does nothing.
    await storage.removeTask('classifiers', 'iris, SVC-model');
    await storage.removeTask('never', 'x');
  });

  it('removes by glob, with raw parts, and leaves the rest', async () => {
    const { folder, storage } = await storageWithClassifiers();
    await storage.removeTask('classifiers', { pattern: '*model' });
    expect(await storage.listTasks('classifiers')).toEqual(
      classifierNames.filter((name) => !name.endsWith('model')).sort(),
    );
    expect(await filesMatching(folder, /\.raw$/)).toEqual([]);
    await storage.removeTask('classifiers', { pattern: 'sum_*' });
    expect(await storage.listTasks('classifiers')).toEqual([
      'a*b?',
      'a.b+(c)',
      'a/b',
      'circles, Tree-score',
      'iris, SVC-score',
    ]);
  });

  it('removes a workflow and nothing else', async () => {
    const { folder, storage } = await storageWithClassifiers();
    await storage.save('other', 'kept', large());
    await storage.removeWorkflow('classifiers');
    expect(await storage.listTasks('classifiers')).toEqual([]);
    expect(await storage.fileExists('classifiers', 'sum_0000')).toBe(false);
    expect(await readdir(folder)).toEqual(['other']);
    expect(await storage.listTasks('other')).toEqual(['kept']);
    await storage.removeWorkflow('classifiers');
    // The workflow can be used again afterwards.
    await storage.save('classifiers', 'again', large());
    expect(await storage.listTasks('classifiers')).toEqual(['again']);
  });

  it('sweeps leftovers of crashed writes when a workflow starts, sparing recent ones', async () => {
    const folder = await makeFolder();
    const storage = new FileStorage(folder);
    await storage.save('wf', 'kept', large());
    const workflowFolder = join(folder, 'wf');
    const [keptPart] = await filesMatching(folder, /\.raw$/);
    const leftovers = {
      staleTemp: join(workflowFolder, '.kept.ffr.00000000000000aa.tmp'),
      recentTemp: join(workflowFolder, '.kept.ffr.00000000000000bb.tmp'),
      staleTempPart: join(workflowFolder, 'bigdata', '.kept.00000000000000cc.0.raw.00000000000000cc.tmp'),
      staleOrphanPart: join(workflowFolder, 'bigdata', 'kept.00000000000000dd.0.raw'),
      recentOrphanPart: join(workflowFolder, 'bigdata', 'kept.00000000000000ee.0.raw'),
      staleRecordlessPart: join(workflowFolder, 'bigdata', 'gone.00000000000000ff.0.raw'),
    };
    for (const path of Object.values(leftovers)) await writeFile(path, 'leftover');
    for (const path of [
      leftovers.staleTemp,
      leftovers.staleTempPart,
      leftovers.staleOrphanPart,
      leftovers.staleRecordlessPart,
    ]) {
      await age(path, STALE_FILE_AGE_MS + 60_000);
    }
    if (keptPart === undefined) throw new Error('the test needs a raw part');
    // The live record's part is old too, and must survive.
    await age(keptPart, STALE_FILE_AGE_MS * 10);
    const trash = join(folder, '.trash-0123456789abcdef');
    await mkdir(join(trash, 'inner'), { recursive: true });

    expect(await storage.listTasks('wf')).toEqual(['kept']);
    await storage.newWorkflow('wf');

    expect(await filesMatching(folder, /./)).toEqual(
      [join(workflowFolder, 'kept.ffr'), keptPart, leftovers.recentTemp, leftovers.recentOrphanPart].sort(),
    );
    expect(await readdir(folder)).toEqual(['wf']);
    expect(await storage.readTask('wf', 'kept')).toBeInstanceOf(Float32Array);
  });
});
