/**
 * `functionfuse ls` and `functionfuse show`: what a storage folder holds, and one stored result
 * summarised, for the "run, then analyse the stored results" use of the original.
 */
import { existsSync, statSync } from 'node:fs';
import { ExitCode, UsageError } from './cli-errors.js';
import type { CliStreams } from './cli-streams.js';
import { type CliFileStorage, openFileStorage } from './storage-option.js';
import { summariseValue } from './value-summary.js';

/**
 * Prints the workflows of a storage folder (no `workflow`), or the names of a workflow's stored
 * results that match `glob`, one per line, sorted; resolves to the exit code.
 *
 * @example
 * await lsCommand('./store', 'demo', '*model', processStreams());
 * // a-model
 * // b-model
 */
export async function lsCommand(
  directory: string,
  workflow: string | undefined,
  glob: string,
  streams: CliStreams,
): Promise<number> {
  const storage = await openExistingStorage(directory, 'functionfuse ls');
  const names =
    workflow === undefined
      ? await listWorkflows(storage, directory)
      : await storage.listTasks(workflow, glob);
  for (const name of names) streams.stdout.write(`${name}\n`);
  return ExitCode.ok;
}

/**
 * Prints a readable summary of one stored result: its type, size or shape, and first values
 * (an object's fields one per line); resolves to the exit code.
 *
 * @example
 * await showCommand('./store', 'demo', 'weights', processStreams());
 * // demo / weights
 * // type: Float64Array
 * // length: 1000
 * // first values: 0.12, -0.5, …
 */
export async function showCommand(
  directory: string,
  workflow: string,
  node: string,
  streams: CliStreams,
): Promise<number> {
  const storage = await openExistingStorage(directory, 'functionfuse show');
  if (!(await storage.fileExists(workflow, node))) {
    throw new UsageError(
      `No result of node ${JSON.stringify(node)} is stored for workflow ${JSON.stringify(workflow)} in ${directory}: ` +
        `list them with functionfuse ls ${directory} ${quoteArgument(workflow)}.`,
    );
  }
  const value = await storage.readTask(workflow, node);
  const lines = [`${workflow} / ${node}`, ...summariseValue(value)];
  streams.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.ok;
}

async function openExistingStorage(directory: string, command: string): Promise<CliFileStorage> {
  // FileStorage creates its folder on demand; reading commands must not create one from a typo.
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new UsageError(`No storage folder at ${JSON.stringify(directory)}: check the path.`);
  }
  return openFileStorage(directory, command);
}

/**
 * Workflow names as the storage reports them. Listing workflows is not part of the Storage
 * interface, so a storage without `listWorkflows` is refused with what to type instead.
 */
async function listWorkflows(storage: CliFileStorage, directory: string): Promise<string[]> {
  const list = (storage as { listWorkflows?: unknown }).listWorkflows;
  if (typeof list !== 'function') {
    throw new UsageError(
      `This version of FileStorage cannot list workflows: name one, as in functionfuse ls ${directory} <workflow>.`,
    );
  }
  return (await (list as () => Promise<string[]>).call(storage)).toSorted();
}

/** Shell-quotes an argument in the hint only when it needs it. */
function quoteArgument(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
