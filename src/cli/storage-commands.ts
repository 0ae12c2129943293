/**
 * `functionfuse ls` and `functionfuse show`: what a storage folder holds, and one stored result
 * summarised, for the "run, then analyse the stored results" use of the original.
 */
import { existsSync, statSync } from 'node:fs';
import { ExitCode, NotFoundError, UsageError } from './cli-errors.js';
import type { CliStreams } from './cli-streams.js';
import { type CliFileStorage, openFileStorage } from './storage-option.js';
import { summariseValue } from './value-summary.js';

/**
 * Prints the workflows of a storage folder (no `workflow`), or the names of a workflow's stored
 * results that match `glob`, one per line, sorted; resolves to the exit code.
 *
 * @throws {NotFoundError} when the folder holds no workflow of that name (exit code 1).
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
  const storage = openExistingStorage(directory);
  const workflows = await storage.listWorkflows();
  if (workflow !== undefined && !workflows.includes(workflow)) {
    const held =
      workflows.length === 0
        ? 'it holds none'
        : `it holds ${workflows.map((name) => JSON.stringify(name)).join(', ')}`;
    throw new NotFoundError(
      `No workflow ${JSON.stringify(workflow)} is stored in ${directory} (${held}): check the name, or list them with functionfuse ls ${quoteArgument(directory)}.`,
    );
  }
  const names = workflow === undefined ? workflows : await storage.listTasks(workflow, glob);
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
  const storage = openExistingStorage(directory);
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

function openExistingStorage(directory: string): CliFileStorage {
  // FileStorage creates its folder on demand; reading commands must not create one from a typo.
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new UsageError(`No storage folder at ${JSON.stringify(directory)}: check the path.`);
  }
  return openFileStorage(directory);
}

/** Shell-quotes an argument in the hint only when it needs it. */
function quoteArgument(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
