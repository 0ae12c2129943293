/** Opens the FileStorage behind `--storage DIR` and the `ls` / `show` commands. */
import { FileStorage } from '../storage/file-storage.js';

/**
 * The storage the CLI works with.
 *
 * @example
 * const storage: CliFileStorage = openFileStorage('./store');
 */
export type CliFileStorage = FileStorage;

/**
 * A FileStorage on `directory`.
 *
 * @example
 * workflow.setStorage(openFileStorage('./store'));
 */
export function openFileStorage(directory: string): CliFileStorage {
  return new FileStorage(directory);
}
