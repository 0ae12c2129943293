/**
 * The files `functionfuse run` writes after a run (`--trace`, `--report`, `--graph`, `--out`)
 * are checked before it starts: a typo in a folder name must cost a usage error, not the
 * results of a long run.
 */
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './cli-errors.js';

/**
 * One file the command will write, with the option that named it.
 *
 * @example
 * const report: OutputFile = { option: '--report', file: 'out/run.html' };
 */
export interface OutputFile {
  readonly option: string;
  readonly file: string;
}

/**
 * Refuses, with a {@link UsageError} naming the option and the path, any file whose folder
 * does not exist or is not a folder, that is itself a folder, or that cannot be written (the
 * system's code: EACCES, EROFS, …), and two options naming one file. The check opens each
 * file for writing, as the write will: it creates and removes a new file, and leaves an
 * existing one untouched.
 *
 * @example
 * checkOutputFiles([{ option: '--trace', file: 'run.json' }, { option: '--report', file: 'out/run.html' }]);
 */
export function checkOutputFiles(files: readonly OutputFile[]): void {
  const optionOf = new Map<string, string>();
  for (const { option, file } of files) {
    const other = optionOf.get(resolve(file));
    if (other !== undefined) {
      throw new UsageError(
        `${other} and ${option} both name ${JSON.stringify(file)}: give each its own file.`,
      );
    }
    optionOf.set(resolve(file), option);
  }
  for (const { option, file } of files) checkOutputFile(option, file, resolve(file));
}

function checkOutputFile(option: string, file: string, path: string): void {
  const refuse = (problem: string, advice: string) =>
    new UsageError(`Cannot write ${option} ${JSON.stringify(file)}: ${problem}: ${advice}.`);
  const folder = dirname(path);
  const folderKind = kindOf(folder);
  if (folderKind === 'missing') {
    throw refuse(
      `the folder ${folder} does not exist`,
      `create it first (mkdir -p ${folder}) or choose another path`,
    );
  }
  if (folderKind === 'file') throw refuse(`${folder} is not a folder`, 'choose another path');
  if (folderKind !== 'folder') {
    throw refuse(
      `the folder ${folder} cannot be read (${folderKind.code})`,
      'choose a path you can write to',
    );
  }
  const fileKind = kindOf(path);
  if (fileKind === 'folder') throw refuse(`${path} is a folder`, 'name a file, not a folder');
  try {
    if (fileKind === 'missing') {
      closeSync(openSync(path, 'wx'));
      unlinkSync(path);
    } else {
      closeSync(openSync(path, 'r+'));
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw refuse(
      `${fileKind === 'missing' ? `the folder ${folder}` : path} cannot be written (${code})`,
      'choose a path you can write to',
    );
  }
}

function kindOf(path: string): 'missing' | 'folder' | 'file' | { readonly code: string } {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    // ENOTDIR: a parent of the path is a file, so the path cannot exist either.
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    return { code };
  }
}
