/**
 * Where FileStorage puts things, for one storage folder:
 *
 * ```text
 * <path>/<workflow key>/<node key>.ffr                              a record
 * <path>/<workflow key>/bigdata/<node key>.<write id>.<n>.raw       its raw parts
 * <path>/<workflow key>/.<final name>.<write id>.tmp                a write in progress
 * <path>/.trash-<id>/                                               a workflow being removed
 * ```
 *
 * Keys (see storage-key.ts) never contain `.`, never start with one, and are never the name of
 * the `bigdata` folder with a suffix, so records, raw parts, temporary files and folders can
 * always be told apart by name alone, whatever the node names are. Write ids and trash ids are
 * 16 lower-case hex digits. Clean-up only ever deletes names of exactly these shapes: a user's
 * `.trash-old/` or `.notes.tmp` in the store is left alone.
 */
import { join } from 'node:path';

/**
 * Suffix of record files; listTasks considers nothing else.
 *
 * @example
 * fileName.endsWith(RECORD_FILE_SUFFIX);
 */
export const RECORD_FILE_SUFFIX = '.ffr';
/**
 * Folder of the raw parts of a workflow's records (the original's "bigdata").
 *
 * @example
 * join(workflowDirectory, RAW_PART_FOLDER); // '/store/demo/bigdata'
 */
export const RAW_PART_FOLDER = 'bigdata';
const RAW_PART_SUFFIX = '.raw';
const TEMP_FILE_SUFFIX = '.tmp';
/**
 * Prefix of a removed workflow's folder, renamed away before being deleted.
 *
 * @example
 * join(storagePath, `${TRASH_PREFIX}${randomId}`);
 */
export const TRASH_PREFIX = '.trash-';

/** A write id or trash id: 8 random bytes in hex (see sealed-record.ts, FileStorage). */
const RANDOM_ID = '[0-9a-f]{16}';
const trashFolderPattern = new RegExp(`^\\.trash-${RANDOM_ID}$`);
const tempFilePattern = new RegExp(`^\\.(.+)\\.${RANDOM_ID}\\.tmp$`);
const writeIdPattern = new RegExp(`^${RANDOM_ID}$`);
/** What escaping (storage-key.ts) leaves in a key: never a `.`, a `/` or a space. */
const keyPattern = /^[A-Za-z0-9_%~-]+$/;

/**
 * Whether a name in the storage folder is that of a workflow being removed (see
 * {@link TRASH_PREFIX}), which clean-up may delete.
 *
 * @example
 * isTrashFolderName('.trash-0123456789abcdef'); // true
 * isTrashFolderName('.trash-userfolder'); // false
 */
export function isTrashFolderName(name: string): boolean {
  return trashFolderPattern.test(name);
}

/**
 * The folders of one workflow.
 *
 * @example
 * const { workflowDirectory, rawPartDirectory }: WorkflowFolders = workflowFolders('/store', 'demo');
 */
export interface WorkflowFolders {
  readonly workflowDirectory: string;
  readonly rawPartDirectory: string;
}

/**
 * The folders of the workflow whose key is given.
 *
 * @example
 * workflowFolders('/store', 'demo').rawPartDirectory; // '/store/demo/bigdata'
 */
export function workflowFolders(storagePath: string, workflowKey: string): WorkflowFolders {
  const workflowDirectory = join(storagePath, workflowKey);
  return { workflowDirectory, rawPartDirectory: join(workflowDirectory, RAW_PART_FOLDER) };
}

/**
 * File name of the record of a node key.
 *
 * @example
 * recordFileName('sum_0000'); // 'sum_0000.ffr'
 */
export function recordFileName(nodeKey: string): string {
  return `${nodeKey}${RECORD_FILE_SUFFIX}`;
}

/**
 * The node key of a record file name, or `undefined` for any other file.
 *
 * @example
 * recordKeyOf('sum_0000.ffr'); // 'sum_0000'
 * recordKeyOf('.sum_0000.ffr.0123456789abcdef.tmp'); // undefined
 */
export function recordKeyOf(fileName: string): string | undefined {
  if (!fileName.endsWith(RECORD_FILE_SUFFIX) || fileName.startsWith('.')) return undefined;
  const key = fileName.slice(0, -RECORD_FILE_SUFFIX.length);
  return key.includes('.') ? undefined : key;
}

/**
 * File name of a raw part. The write id makes it unique to one save, so concurrent writers of
 * one node never write, rename or delete each other's parts.
 *
 * @example
 * rawPartFileName('train', '0123456789abcdef', 0); // 'train.0123456789abcdef.0.raw'
 */
export function rawPartFileName(nodeKey: string, writeId: string, index: number): string {
  return `${nodeKey}.${writeId}.${index}${RAW_PART_SUFFIX}`;
}

/**
 * Splits a raw part's file name, or returns `undefined` for any other file.
 *
 * @example
 * parseRawPartFileName('train.0123456789abcdef.0.raw'); // { nodeKey: 'train', writeId: '0123456789abcdef', index: 0 }
 */
export function parseRawPartFileName(
  fileName: string,
): { nodeKey: string; writeId: string; index: number } | undefined {
  if (!fileName.endsWith(RAW_PART_SUFFIX) || fileName.startsWith('.')) return undefined;
  const [nodeKey, writeId, index, ...rest] = fileName.slice(0, -RAW_PART_SUFFIX.length).split('.');
  if (nodeKey === undefined || writeId === undefined || index === undefined || rest.length > 0)
    return undefined;
  if (!keyPattern.test(nodeKey) || !writeIdPattern.test(writeId) || !/^[0-9]+$/.test(index)) return undefined;
  return { nodeKey, writeId, index: Number(index) };
}

/**
 * Name of the temporary file a write goes to before its rename: hidden, unique to the write, and
 * never mistaken for a record or a part.
 *
 * @example
 * tempFileName('train.ffr', '0123456789abcdef'); // '.train.ffr.0123456789abcdef.tmp'
 */
export function tempFileName(finalName: string, writeId: string): string {
  return `.${finalName}.${writeId}${TEMP_FILE_SUFFIX}`;
}

/**
 * Whether a file name is one of our temporary files (a write in progress, or left by a crash):
 * {@link tempFileName} of a record or a raw part, nothing else.
 *
 * @example
 * isTempFileName('.train.ffr.0123456789abcdef.tmp'); // true
 * isTempFileName('.notes.tmp'); // false
 */
export function isTempFileName(fileName: string): boolean {
  if (!fileName.endsWith(TEMP_FILE_SUFFIX)) return false;
  const finalName = tempFilePattern.exec(fileName)?.[1];
  if (finalName === undefined) return false;
  const recordKey = recordKeyOf(finalName);
  return recordKey === undefined ? parseRawPartFileName(finalName) !== undefined : keyPattern.test(recordKey);
}
