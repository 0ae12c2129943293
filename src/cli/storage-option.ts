/**
 * Opens the FileStorage behind `--storage DIR` and the `ls` / `show` commands.
 *
 * FileStorage is looked up on the package's public exports at run time rather than imported
 * from its module: the CLI then uses exactly the class users get from `functionfuse`, and a
 * build that does not export it yet refuses with a clear message instead of failing to start.
 */
import type { Storage } from '../storage/storage.js';
import { UsageError } from './cli-errors.js';

/**
 * The subset of FileStorage the CLI uses beyond the {@link Storage} interface.
 *
 * @example
 * const storage: CliFileStorage = await openFileStorage('./store', '--storage');
 */
export type CliFileStorage = Storage & { readonly path?: string };

type FileStorageClass = new (path: string) => CliFileStorage;

/**
 * A FileStorage on `directory`.
 *
 * @param user what needs it, for the refusal: `'--storage'`, `'functionfuse ls'`.
 * @throws {UsageError} when this build of functionfuse has no FileStorage.
 *
 * @example
 * const storage = await openFileStorage('./store', '--storage');
 * workflow.setStorage(storage);
 */
export async function openFileStorage(directory: string, user: string): Promise<CliFileStorage> {
  const library = (await import('../index.js')) as Record<string, unknown>;
  const FileStorage = library['FileStorage'];
  if (typeof FileStorage !== 'function') {
    throw new UsageError(
      `${user} needs FileStorage, which this version of functionfuse does not include yet: upgrade functionfuse${user.startsWith('--') ? ` or run without ${user}` : ''}.`,
    );
  }
  return new (FileStorage as FileStorageClass)(directory);
}
