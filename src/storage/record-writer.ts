/**
 * Writes one record and its raw parts so that readers, concurrent writers and crashes only
 * ever see a complete record: the old one until the final rename, the new one after it.
 */
import type { Hash } from 'node:crypto';
import { rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { commitTempFile, hasErrorCode, syncDirectory, writeNewFile } from './file-io.js';
import { readRecordMeta } from './record-file.js';
import { type RecordContent, type SealedRecord, startChecksum } from './sealed-record.js';
import { asStorageAccessError } from './storage-access-error.js';
import { rawPartFileName, recordFileName, tempFileName, type WorkflowFolders } from './storage-layout.js';

/** Records up to this size are written with one system call instead of one per section. */
const SINGLE_WRITE_MAX_BYTES = 1024 * 1024;

/**
 * Where a record goes and how.
 *
 * @example
 * const target: RecordWrite = { folders, nodeKey: 'n', durable: true, ensureDirectory };
 */
export interface RecordWrite {
  readonly folders: WorkflowFolders;
  readonly nodeKey: string;
  /** Flush every file and folder entry to disk before going on (see FileStorageOptions). */
  readonly durable: boolean;
  /** Creates a folder if needed (the storage caches which exist). */
  readonly ensureDirectory: (path: string) => Promise<void>;
}

/**
 * Writes a record of a node, replacing the previous record and deleting its raw parts once the
 * new record is in place. A record not yet sealed is checksummed while its raw parts are
 * written (the hash runs as the disk works); a sealed one is written as it is.
 *
 * @example
 * await writeRecord({ folders, nodeKey, durable: true, ensureDirectory }, composeRecord('wf', 'n', value));
 */
export async function writeRecord(target: RecordWrite, record: RecordContent | SealedRecord): Promise<void> {
  const { folders, nodeKey, durable } = target;
  const { writeId } = record.meta;
  const hash: Hash | undefined = 'checksum' in record ? undefined : startChecksum(record);
  const recordTarget = {
    finalPath: join(folders.workflowDirectory, recordFileName(nodeKey)),
    tempPath: join(folders.workflowDirectory, tempFileName(recordFileName(nodeKey), writeId)),
  };
  // The record this save replaces, read before our rename (afterwards the file is ours); its
  // parts are deleted once ours is in place. If another writer replaces it at the same moment,
  // both delete the same parts, and at worst one writer's parts linger until newWorkflow sweeps
  // them. Read now, alongside the writes; it never rejects.
  const previousRecord = readRecordMeta(recordTarget.finalPath);
  await target.ensureDirectory(folders.workflowDirectory);

  // The record becomes visible last, once every part it names is complete. Parts need no
  // temporary name: their names are unique to this write and nothing reads them until then.
  const writtenParts: string[] = [];
  let recordTemp: Promise<unknown> | undefined;
  let recordWritten = false;
  let recordVisible = false;
  const writeRecordTemp = (checksum: Uint8Array) => {
    // Settled into a value at once, so a failure is never an unhandled rejection while the
    // parts are still being written.
    recordTemp = writeNewFile(recordTarget.tempPath, recordChunks(record, checksum), { durable }).then(
      () => {
        recordWritten = true;
      },
      (error: unknown) => error ?? new Error('the record could not be written'),
    );
    return recordTemp;
  };
  try {
    // A sealed record's bytes are all known: write it while the parts are written.
    if (hash === undefined) writeRecordTemp((record as SealedRecord).checksum);
    if (record.rawParts.length > 0) await target.ensureDirectory(folders.rawPartDirectory);
    for (const [index, part] of record.rawParts.entries()) {
      const path = join(folders.rawPartDirectory, rawPartFileName(nodeKey, writeId, index));
      await writeNewFile(path, [part], hash === undefined ? { durable } : { durable, hash });
      writtenParts.push(path);
    }
    // The parts' folder entries must be on disk before the record that names them.
    const [recordFailure] = await Promise.all([
      recordTemp ?? writeRecordTemp((hash as Hash).digest()),
      durable && writtenParts.length > 0 ? syncDirectory(folders.rawPartDirectory) : undefined,
    ]);
    if (recordFailure !== undefined) throw recordFailure;
    const previous = await previousRecord;
    await commitTempFile(recordTarget);
    recordVisible = true;
    await Promise.all([
      // A concurrent removeWorkflow may have taken the folder away: the result is gone anyway.
      durable ? syncDirectory(folders.workflowDirectory).catch(ignoreMissing) : undefined,
      previous === undefined
        ? undefined
        : removeFiles(
            previous.rawPartLengths.map((_, index) =>
              join(folders.rawPartDirectory, rawPartFileName(nodeKey, previous.writeId, index)),
            ),
          ),
    ]);
  } catch (error) {
    await recordTemp;
    // Parts of a record that never became visible are garbage; those of a visible one are not.
    if (!recordVisible) {
      // Best effort: the error that stopped the save is the one to report.
      await removeFiles(writtenParts).catch(() => {});
      if (recordWritten) await removeFiles([recordTarget.tempPath]).catch(() => {});
    }
    throw error;
  }
}

/** The record file's bytes: one buffer when small (one system call), else its sections. */
function recordChunks(record: RecordContent, checksum: Uint8Array): Uint8Array[] {
  const sections = [record.head, record.payload, checksum];
  const size = sections.reduce((total, section) => total + section.length, 0);
  return size <= SINGLE_WRITE_MAX_BYTES ? [Buffer.concat(sections, size)] : sections;
}

/**
 * Deletes files, ignoring those already gone. An empty folder in a file's place (damage) goes
 * too; one with anything in it is reported, never emptied.
 *
 * @example
 * await removeFiles(['/store/demo/bigdata/train.0123456789abcdef.0.raw']);
 */
export async function removeFiles(paths: readonly string[]): Promise<void> {
  await Promise.all(
    paths.map((path) =>
      unlink(path).catch(async (error: unknown) => {
        if (hasErrorCode(error, 'ENOENT')) return;
        // unlink refuses a folder with EISDIR (Linux) or EPERM (macOS).
        const removed =
          hasErrorCode(error, 'EISDIR', 'EPERM') &&
          (await rmdir(path).then(
            () => true,
            () => false,
          ));
        if (!removed) throw asStorageAccessError(error, 'remove', path);
      }),
    ),
  );
}

function ignoreMissing(error: unknown): void {
  if (!hasErrorCode(error, 'ENOENT')) throw error;
}
