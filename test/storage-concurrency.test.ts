import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStorage } from '../src/storage/file-storage.js';
import { CorruptStoredResultError, StoredResultMissingError } from '../src/storage/storage-errors.js';
import { bytesOf, filesMatching, useTempFolders } from './fixtures/storage-helpers.js';
import { expectedValue } from './fixtures/storage-writer.js';

const writerScript = join(import.meta.dirname, 'fixtures', 'storage-writer.ts');
const saveCount = 50;

/** Starts a writer process; resolves when it exits, rejecting with its stderr on failure. */
function runWriter(storagePath: string, writer: number, startAt: number): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', writerScript, storagePath, String(writer), String(saveCount), String(startAt)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return exited(child, writer);
}

function exited(child: ChildProcess, writer: number): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`writer ${writer} exited with ${code ?? signal}: ${stderr}`));
    });
  });
}

type Stored = ReturnType<typeof expectedValue>;

/** Whether `value` is exactly one of the values a writer saved, whole. */
function isCompleteValue(value: Stored): boolean {
  const expected = expectedValue(value.writer, value.iteration);
  return (
    value.data instanceof Float64Array &&
    value.bytes instanceof Uint8Array &&
    value.small instanceof Int32Array &&
    bytesOf(value.data).equals(bytesOf(expected.data)) &&
    bytesOf(value.bytes).equals(bytesOf(expected.bytes)) &&
    bytesOf(value.small).equals(bytesOf(expected.small))
  );
}

describe('FileStorage with concurrent writers', () => {
  const makeFolder = useTempFolders();

  it('never exposes a torn or mixed record while two processes rewrite one node', async () => {
    const folder = await makeFolder();
    const startAt = Date.now() + 1_500;
    let writersDone = false;
    const writers = Promise.all([runWriter(folder, 1, startAt), runWriter(folder, 2, startAt)]).finally(
      () => {
        writersDone = true;
      },
    );

    const reader = new FileStorage(folder);
    const seen = new Set<string>();
    const problems: string[] = [];
    let reads = 0;
    while (!writersDone) {
      try {
        const value = (await reader.readTask('race', 'shared')) as Stored;
        reads += 1;
        if (isCompleteValue(value)) seen.add(`${value.writer}:${value.iteration}`);
        else problems.push(`incomplete value from writer ${value.writer} at ${value.iteration}`);
      } catch (error) {
        // Before the first save there is nothing; anything else is a failure.
        if (!(error instanceof StoredResultMissingError)) problems.push(String(error));
        if (error instanceof CorruptStoredResultError) problems.push(`corrupt: ${error.reason}`);
      }
    }
    await writers;

    expect(problems).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    const final = (await reader.readTask('race', 'shared')) as Stored;
    expect(isCompleteValue(final)).toBe(true);
    // The last rename is some writer's last save.
    expect(final.iteration).toBe(saveCount - 1);
    // No write left a temporary file behind, and the final record's parts are all there.
    expect(await filesMatching(folder, /\.tmp$/)).toEqual([]);
    expect(await filesMatching(folder, /\.raw$/)).toEqual(
      expect.arrayContaining([expect.stringMatching(/shared\.[0-9a-f]{16}\.0\.raw$/)]),
    );
    expect(await reader.listTasks('race')).toEqual(['shared']);
  });

  it('leaves the old or a new complete value when a writer is killed mid-save', async () => {
    const folder = await makeFolder();
    const reader = new FileStorage(folder);
    const old = expectedValue(9, 0);
    await reader.save('race', 'shared', old);
    for (const killAfter of [0, 3, 7]) {
      const child = spawn(process.execPath, ['--import', 'tsx', writerScript, folder, '1', 'forever', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let failure: unknown;
      const ended = exited(child, 1).catch((error: unknown) => {
        failure = error;
      });
      // Saves follow one another without pause, so the kill lands inside one almost surely.
      const killPoint = new Promise<void>((resolve) => {
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes(`saved ${killAfter}\n`)) resolve();
        });
      });
      await Promise.race([killPoint, ended]);
      child.kill('SIGKILL');
      await ended;
      // A writer that died on its own would have printed its error.
      if (failure !== undefined && !String(failure).includes('SIGKILL')) throw failure;

      const value = (await reader.readTask('race', 'shared')) as Stored;
      expect(isCompleteValue(value)).toBe(true);
      expect(value.writer === 1 && value.iteration >= killAfter).toBe(true);
      expect(await reader.listTasks('race')).toEqual(['shared']);
    }
  });
});
