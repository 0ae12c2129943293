/**
 * A synchronous node past its timeout in the main thread (LocalWorkflow): nothing can stop it,
 * so a watchdog thread says so on stderr while it overruns, and the node fails with a
 * NodeTimeoutError once it returns. Run in a process of its own, to read what reaches stderr.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/sync-timeout-script.ts', import.meta.url));
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('LocalWorkflow: a synchronous node past its timeout', () => {
  it('is announced on stderr while it blocks, and fails with NodeTimeoutError when it returns', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'functionfuse-overrun-'));
    folders.push(folder);
    const flag = join(folder, 'warned');
    const child = spawn(process.execPath, ['--import', 'tsx', script, flag], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // The node spins until this file exists: it returns only after the warning was seen.
      if (stderr.includes('has run past its timeout')) writeFileSync(flag, '');
    });
    // Bounded: the node gives up spinning after 20 s even if no warning came.
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe(
      'functionfuse: node "spinner" has run past its timeout of 100 ms in the main thread (LocalWorkflow), ' +
        'where synchronous code cannot be stopped; it fails with NodeTimeoutError when it returns. ' +
        'Run it on ThreadWorkflow to have it stopped at its timeout.\n',
    );
    expect(code).toBe(0);
    const outcome = JSON.parse(stdout) as { name: string; causeName: string; causeMessage: string };
    expect(outcome).toMatchObject({ name: 'NodeExecutionError', causeName: 'NodeTimeoutError' });
    expect(outcome.causeMessage).toMatch(
      /^Node "spinner" timed out: it ran for \d+ ms, past its timeout of 100 ms\. It is synchronous and ran in the main thread \(LocalWorkflow\), where it cannot be stopped, so it failed when it returned; run it on ThreadWorkflow to have it stopped at its timeout\.$/,
    );
  }, 30_000);
});
