/**
 * `functionfuse ls` and `functionfuse show`: what a storage folder holds, and one stored result
 * summarised, for the "run, then analyse the stored results" use of the original.
 */
import { existsSync, statSync } from 'node:fs';
import { isCacheKey } from '../storage/cache-key.js';
import type { StoredKeyInfo } from '../storage/storage.js';
import { ExitCode, NotFoundError, UsageError } from './cli-errors.js';
import type { CliStreams } from './cli-streams.js';
import { type CliFileStorage, openFileStorage } from './storage-option.js';
import { summariseValue } from './value-summary.js';

/** Hex digits of a record's cache key that `ls` shows: enough to tell keys apart by eye. */
const KEY_PREFIX_LENGTH = 8;

/**
 * Prints the workflows of a storage folder (no `workflow`), or the stored results of a workflow
 * whose names match `glob`, one per line, sorted: each name, the first digits of the cache key
 * it was computed under, and when it was written (ISO 8601, UTC); resolves to the exit code.
 *
 * @throws {NotFoundError} when the folder holds no workflow of that name (exit code 1).
 *
 * @example
 * await lsCommand('./store', 'demo', '*model', processStreams());
 * // a-model  3f2a9c01  2026-12-01T10:04:12.345Z
 * // b-model  (written before keys)
 */
export async function lsCommand(
  directory: string,
  workflow: string | undefined,
  glob: string,
  streams: CliStreams,
): Promise<number> {
  const storage = openExistingStorage(directory);
  const workflows = await storage.listWorkflows();
  if (workflow !== undefined) refuseMissingWorkflow(workflows, workflow, directory);
  if (workflow === undefined) {
    for (const name of workflows) streams.stdout.write(`${name}\n`);
    return ExitCode.ok;
  }
  const names = await storage.listTasks(workflow, glob);
  const infos = await Promise.all(names.map((name) => storage.readKey(workflow, name)));
  const width = Math.max(0, ...names.map((name) => name.length));
  names.forEach((name, index) => {
    streams.stdout.write(`${name.padEnd(width)}  ${describeRecordKey(infos[index])}\n`);
  });
  return ExitCode.ok;
}

/** Refuses a workflow the folder does not hold, saying what it holds (exit code 1). */
function refuseMissingWorkflow(workflows: readonly string[], workflow: string, directory: string): void {
  if (workflows.includes(workflow)) return;
  const held =
    workflows.length === 0
      ? 'it holds none'
      : `it holds ${workflows.map((name) => JSON.stringify(name)).join(', ')}`;
  throw new NotFoundError(
    `No workflow ${JSON.stringify(workflow)} is stored in ${directory} (${held}): check the name, or list them with functionfuse ls ${quoteArgument(directory)}.`,
  );
}

/** A record's key prefix and write time, as `ls` shows them. */
function describeRecordKey(info: StoredKeyInfo | undefined): string {
  if (info === undefined) return '(unreadable)';
  if (!isCacheKey(info.cacheKey)) return '(written before keys)';
  const writtenAt = info.writtenAt === undefined ? '' : `  ${new Date(info.writtenAt).toISOString()}`;
  return `${info.cacheKey.key.slice(0, KEY_PREFIX_LENGTH)}${writtenAt}`;
}

/**
 * Prints a readable summary of one stored result: its type, size or shape, and first values
 * (an object's fields one per line); resolves to the exit code.
 *
 * @throws {NotFoundError} when the folder holds no workflow of that name (exit code 1).
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
  refuseMissingWorkflow(await storage.listWorkflows(), workflow, directory);
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
