import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('ThreadWorkflow in a real process', () => {
  it('lets a compiled-JavaScript script exit by itself after a run, with no loader', async () => {
    // The timeout turns "the process never exits" into a failure instead of a hang.
    const { stdout } = await run(process.execPath, [fixture('exits-by-itself.mjs')], { timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ result: 25 });
  });

  it('loads TypeScript task modules in workers when the script runs under tsx', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture('typescript-script.ts')], {
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({ result: 3 });
  });
});
