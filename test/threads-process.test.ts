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

  it('lets a script exit by itself when its actor threads wait idle between runs', async () => {
    const { stdout } = await run(process.execPath, [fixture('actor-exits-by-itself.mjs')], {
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({ results: [15, 15] });
  });

  it('fails the task of a script whose main() runs a ThreadWorkflow, even though main() catches the refusal', async () => {
    const { stdout } = await run(process.execPath, [fixture('main-catches-refusal.mjs')], {
      timeout: 30_000,
    });
    const outcome = JSON.parse(stdout) as { error: string; cause: string; message: string };
    expect(outcome).toMatchObject({ error: 'NodeExecutionError', cause: 'WorkflowInWorkerError' });
    expect(outcome.message).toMatch(
      /^Workflow "catches" was started while a worker thread imported file:.*main-catches-refusal\.mjs to find a task\./,
    );
  });

  it("refuses a ThreadWorkflow that a script's main() starts after an await in the workers that import it", async () => {
    const { stdout, stderr } = await run(process.execPath, [fixture('main-after-await.mjs')], {
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({ result: [2, 4, 6, 8] });
    const refusals = stderr.trimEnd().split('\n');
    // One refusal per worker that imported the script (two threads), each naming the fix.
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.length).toBeLessThanOrEqual(2);
    for (const line of refusals) {
      expect(line).toBe(
        'main() in a worker: WorkflowInWorkerError: ThreadWorkflow "after-await" was started in one of ' +
          "functionfuse's worker threads, which run the nodes of another workflow: it would start a pool of " +
          'threads inside a thread of a pool. A script that defines tasks and runs a workflow after an await is ' +
          'run again by each worker that imports it to find a task. Move the tasks to a module of their own and ' +
          'import them from the script that runs the workflow; a task may run a LocalWorkflow of its own.',
      );
    }
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
