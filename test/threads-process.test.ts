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

  // Started with tsx's flags, a worker would load Piscina through tsx's loader, which detaches
  // an ArrayBuffer and leaves every typed-array loop of that thread slower (worker-tsx.ts).
  it.each([
    ['node --import tsx', ['--import', 'tsx']],
    ['node --expose-gc --import tsx', ['--expose-gc', '--import', 'tsx']],
    ["tsx's command (npx tsx)", [fileURLToPath(import.meta.resolve('tsx/cli'))]],
  ])('under %s, workers start without tsx flags and register it before any user module', async (_, flags) => {
    const { stdout } = await run(process.execPath, [...flags, fixture('worker-flags-script.ts')], {
      timeout: 30_000,
    });
    const report = JSON.parse(stdout) as { mainExecArgv: string[]; workerExecArgv: string[]; result: number };
    expect(report.mainExecArgv.some((flag) => flag.includes('tsx'))).toBe(true);
    expect(report.workerExecArgv).toEqual([]);
    expect(report.result).toBe(42);
  });
});
