/**
 * Every example runs, small, as a user would start it (a child process under tsx), and prints
 * what it should.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const example = (path: string) => fileURLToPath(new URL(`../examples/${path}`, import.meta.url));

async function runExample(path: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', example(path), ...args], {
    timeout: 60_000,
  });
  return stdout;
}

describe('examples', () => {
  it('main job: Monte Carlo pricing gives identical results on both backends', async () => {
    const output = await runExample('main.ts', ['--batches', '4', '--paths', '2000', '--steps', '10']);
    expect(output).toContain('exact (Black-Scholes)  9.121804');
    expect(output).toContain('identical results on both backends: yes');
  });

  it('accumulator: an actor fed by parallel branches merges every histogram', async () => {
    const output = await runExample('accumulator/main.ts', ['--branches', '5', '--samples', '1000']);
    expect(output).toMatch(/^5 histograms, 5000 samples, mean 0\.\d{4} /);
  });
});
