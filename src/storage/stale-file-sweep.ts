/**
 * Opportunistic clean-up of what crashes leave behind: temporary files of writes that never
 * finished, raw parts that no record references any more (a crash between writing parts and
 * the record, or two writers replacing each other's record at the same moment), and folders of
 * interrupted workflow removals. None of these is ever read, so this only reclaims space. It
 * deletes nothing but names of the exact shapes the store makes (see storage-layout.ts).
 */
import { readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readRecordMeta } from './record-file.js';
import {
  isTempFileName,
  isTrashFolderName,
  parseRawPartFileName,
  recordFileName,
  type WorkflowFolders,
} from './storage-layout.js';

/**
 * A temporary file or unreferenced raw part younger than this may belong to a save still in
 * progress in this or another process (parts are written before their record), so it is left
 * alone. Writing even many gigabytes takes far less.
 *
 * @example
 * const stale = stats.mtimeMs < Date.now() - STALE_FILE_AGE_MS;
 */
export const STALE_FILE_AGE_MS = 15 * 60 * 1000;

/**
 * Removes stale leftovers in one workflow's folders and interrupted removals in the storage
 * folder. Best effort: a file that cannot be examined or removed is skipped.
 *
 * @example
 * await sweepStaleFiles('/store', workflowFolders('/store', 'demo'));
 */
export async function sweepStaleFiles(
  storagePath: string,
  folders: WorkflowFolders,
  now: number = Date.now(),
): Promise<void> {
  const staleBefore = now - STALE_FILE_AGE_MS;
  const removeIfStale = async (path: string) => {
    try {
      if ((await stat(path)).mtimeMs < staleBefore) await unlink(path);
    } catch {
      // Gone already, or not ours to remove: either way nothing to do.
    }
  };

  // The three folders are listed at once: a run waits for this before it starts.
  const [storageNames, workflowNames, partNames] = await Promise.all([
    namesIn(storagePath),
    namesIn(folders.workflowDirectory),
    namesIn(folders.rawPartDirectory),
  ]);
  for (const name of storageNames) {
    if (isTrashFolderName(name))
      await rm(join(storagePath, name), { recursive: true, force: true }).catch(() => {});
  }
  for (const name of workflowNames) {
    if (isTempFileName(name)) await removeIfStale(join(folders.workflowDirectory, name));
  }

  const partsByNodeKey = new Map<string, { name: string; writeId: string }[]>();
  for (const name of partNames) {
    if (isTempFileName(name)) {
      await removeIfStale(join(folders.rawPartDirectory, name));
      continue;
    }
    const part = parseRawPartFileName(name);
    if (part === undefined) continue;
    const parts = partsByNodeKey.get(part.nodeKey) ?? [];
    parts.push({ name, writeId: part.writeId });
    partsByNodeKey.set(part.nodeKey, parts);
  }
  for (const [nodeKey, parts] of partsByNodeKey) {
    const meta = await readRecordMeta(join(folders.workflowDirectory, recordFileName(nodeKey)));
    for (const part of parts) {
      if (part.writeId !== meta?.writeId) await removeIfStale(join(folders.rawPartDirectory, part.name));
    }
  }
}

async function namesIn(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch {
    return [];
  }
}
