import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot, runFunctionfuse } from './fixtures/cli-process.js';

const pipeline = 'test/fixtures/cli-pipeline.ts';
const failing = 'test/fixtures/cli-failing.ts';
const folder = mkdtempSync(join(tmpdir(), 'functionfuse-cli-errors-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('functionfuse exit codes and error lines', () => {
  it.each([
    ['local', ['--backend', 'local']],
    ['threads', ['--threads', '2']],
  ])('exits with 1 and one line naming the failed node (%s)', async (_, backend) => {
    const outcome = await runFunctionfuse(['run', failing, ...backend, '--no-progress']);
    expect(outcome).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      // The message of the node's error had two lines: only the first is shown.
      stderr:
        'functionfuse: Node "explode" failed: RangeError: cannot use 1 … ' +
        "Fix the node's function and run again (--verbose shows the stack).\n",
    });
  });

  it('leaves out "fix the node\'s function" when the error says what to fix: where its code is found', async () => {
    const outcome = await runFunctionfuse([
      'run',
      'test/fixtures/cli-misplaced-task.ts',
      '--threads',
      '1',
      '--no-progress',
    ]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(
      /^functionfuse: Node "misplaced" failed: TaskNotFoundError: Task "misplaced" could not be loaded by a worker thread: its module file:\S+\/cli-no-such-module\.ts does not exist\. .*\(pass \{ module: import\.meta\.url \}\), and the file must still be there when the workflow runs\. \(--verbose shows the stack\)\.\n$/,
    );
  });

  it.each([
    ['local', ['--backend', 'local']],
    ['threads', ['--threads', '2']],
  ])('calls the pipeline setup hook and names the workflow after the module (%s)', async (_, backend) => {
    const outcome = await runFunctionfuse(['run', 'test/fixtures/cli-setup.ts', ...backend]);
    expect(outcome.code).toBe(1);
    const lines = outcome.stderr.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^functionfuse: cli-setup: finished, 1\/2 nodes done, 1 failed, 0 cached, 0 skipped, 1 retry in \d+\.\d s$/,
    );
    expect(lines[1]).toBe(
      'functionfuse: Node "explode" failed after 2 attempts: RangeError: cannot use 1 … ' +
        "Fix the node's function and run again (--verbose shows the stack).",
    );
    expect(lines[2]).toBe('');
  });

  it('adds the stack of the node error and of its cause with --verbose', async () => {
    const outcome = await runFunctionfuse([
      'run',
      failing,
      '--backend',
      'local',
      '--no-progress',
      '--verbose',
    ]);
    expect(outcome.code).toBe(1);
    const lines = outcome.stderr.split('\n');
    expect(lines[0]).toBe(
      'functionfuse: Node "explode" failed: RangeError: cannot use 1 … ' +
        "Fix the node's function and run again (--verbose shows the stack).",
    );
    expect(lines[1]).toBe('NodeExecutionError: Node "explode" failed: RangeError: cannot use 1');
    expect(outcome.stderr).toContain('Caused by: RangeError: cannot use 1');
    expect(outcome.stderr).toMatch(/at .*explode .*cli-failing\.ts:\d+:\d+/);
  });

  it.each([
    [['run', pipeline, '--bogus'], "functionfuse: Unknown option '--bogus' (see functionfuse run --help)."],
    [
      ['run', pipeline, '--threads', '0'],
      "functionfuse: Option '--threads <count>' argument '0' is invalid. Expected an integer from 1 to 1024 (see functionfuse run --help).",
    ],
    [
      ['run', pipeline, '--backend', 'threads', '--threads', '5000'],
      "functionfuse: Option '--threads <count>' argument '5000' is invalid. Expected an integer from 1 to 1024 (see functionfuse run --help).",
    ],
    [
      ['worker', '--connection', 'redis://127.0.0.1:1', '--threads', '5000'],
      "functionfuse: Option '--threads <count>' argument '5000' is invalid. Expected an integer from 1 to 1024 (see functionfuse worker --help).",
    ],
    [
      ['bench', pipeline, '--backend', 'bullmq'],
      'functionfuse: --backend bullmq needs --connection redis://HOST:PORT, the Redis server its workers use.',
    ],
    [
      ['bench', pipeline, '--connection', 'redis://127.0.0.1:1'],
      'functionfuse: --connection only applies to --backend bullmq: remove it or add bullmq to --backend.',
    ],
    [
      ['run', pipeline, '--backend', 'gpu'],
      "functionfuse: Option '--backend <name>' argument 'gpu' is invalid. Allowed choices are local, threads, bullmq (see functionfuse run --help).",
    ],
    [
      ['run', pipeline, '--seed', '-1'],
      "functionfuse: Option '--seed <n>' argument '-1' is invalid. Expected an integer from 0 to 4294967295 (see functionfuse run --help).",
    ],
    [
      ['run', pipeline, '--backend', 'local', '--threads', '2'],
      'functionfuse: --threads only applies to --backend threads: remove it or add --backend threads.',
    ],
    [['run'], "functionfuse: Missing required argument 'pipeline' (see functionfuse run --help)."],
    [
      ['run', pipeline, 'extra'],
      "functionfuse: Too many arguments for 'run'. Expected 1 argument but got 2 (see functionfuse run --help).",
    ],
    [
      ['run', 'test/fixtures/cli-missing.ts'],
      `functionfuse: No pipeline module at "test/fixtures/cli-missing.ts" (${process.cwd()}/test/fixtures/cli-missing.ts): check the path.`,
    ],
    [
      ['run', 'test/fixtures/cli-not-a-pipeline.ts'],
      'functionfuse: The pipeline module test/fixtures/cli-not-a-pipeline.ts has no default export function (got an object): add `export default function pipeline() { ...; return leaves; }`.',
    ],
    [
      ['run', pipeline, '--graph', 'run.pdf'],
      'functionfuse: Expected --graph to end in .svg, .dot or .mmd, got "run.pdf": name the file with one of these extensions.',
    ],
    [
      ['graph', pipeline, '--out', 'graph.png'],
      'functionfuse: Expected --out to end in .svg, .dot or .mmd, got "graph.png": name the file with one of these extensions.',
    ],
    [
      ['graph', pipeline],
      "functionfuse: Required option '--out <file>' not specified (see functionfuse graph --help).",
    ],
    [['rnu', pipeline], "functionfuse: Unknown command 'rnu' (Did you mean run?) (see functionfuse --help)."],
  ])('exits with 2 and one line for the usage error in %j', async (args, line) => {
    const outcome = await runFunctionfuse(args);
    expect(outcome).toEqual({ code: 2, signal: null, stdout: '', stderr: `${line}\n` });
  });

  it('says how to fix a TypeScript pipeline module that a CommonJS project makes CommonJS', async () => {
    const outcome = await runFunctionfuse([
      'run',
      'test/fixtures/commonjs-project/pipeline.ts',
      '--no-progress',
    ]);
    expect(outcome.code).toBe(1);
    // The fix comes first, before Node's own words (which speak of require() and cycles).
    expect(outcome.stderr).toContain(
      'functionfuse: Error: Could not import the pipeline module test/fixtures/commonjs-project/pipeline.ts as an ES module. ' +
        'It is read as CommonJS (' +
        join(repositoryRoot, 'test/fixtures/commonjs-project/package.json') +
        ' has no "type": "module"): add "type": "module" to your package.json, or rename the module to pipeline.mts. Node said: ',
    );
  });

  it('cancels the run on Ctrl-C, still writes the report, and exits with 130', async () => {
    const report = join(folder, 'cancelled.html');
    let interrupted = false;
    const outcome = await runFunctionfuse(
      ['run', 'test/fixtures/cli-slow.ts', '--threads', '1', '--report', report],
      {
        env: { CLI_SLOW_MS: '600000' },
        // The first progress line (after 2 s) shows the node running: interrupt then.
        onStderr: (stderr, child) => {
          if (!interrupted && stderr.includes('1 running')) {
            interrupted = true;
            child.kill('SIGINT');
          }
        },
      },
    );
    expect(interrupted).toBe(true);
    expect(outcome.code).toBe(130);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr.trimEnd().split('\n').at(-1)).toBe(
      'functionfuse: Workflow "slow" was cancelled (SIGINT): its results are not printed.',
    );
    expect(readFileSync(report, 'utf8')).toContain('<title>functionfuse run: slow</title>');
  });

  it('prints the help on stderr and exits with 2 when no command is given', async () => {
    const outcome = await runFunctionfuse([]);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(/^Usage: functionfuse \[options\] \[command\]\n/);
  });
});
