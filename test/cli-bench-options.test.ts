/**
 * `functionfuse bench` refuses bad options with one line naming the option and the value, before
 * the pipeline module is imported; a pipeline whose results differ between runs fails; and its
 * help says what it measures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatMs } from '../src/cli/bench-table.js';
import { runFunctionfuse } from './fixtures/cli-process.js';

const folder = mkdtempSync(join(tmpdir(), 'functionfuse-cli-bench-options-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const notOurs = join(folder, 'not-ours.json');
writeFileSync(notOurs, '{"rows": []}');
const notJson = join(folder, 'not-json.json');
writeFileSync(notJson, 'rows:');

const usage = (option: string, detail: string) =>
  `functionfuse: Option '${option}' ${detail} (see functionfuse bench --help).\n`;

describe('functionfuse bench options', () => {
  it.each([
    [
      ['--backend', 'cluster'],
      usage(
        '--backend <names>',
        `argument 'cluster' is invalid. Unknown backend "cluster": expected a comma-separated list of local, threads, bullmq`,
      ),
    ],
    [
      ['--backend', 'local,local'],
      usage('--backend <names>', `argument 'local,local' is invalid. "local" is listed twice`),
    ],
    [
      ['--threads', '1,0'],
      usage(
        '--threads <counts>',
        `argument '1,0' is invalid. Expected a comma-separated list of integers from 1 to 1024, got "0"`,
      ),
    ],
    [
      ['--threads', '1,,2'],
      usage(
        '--threads <counts>',
        `argument '1,,2' is invalid. Expected a comma-separated list with no empty item`,
      ),
    ],
    [
      ['--time', '-1'],
      usage(
        '--time <seconds>',
        `argument '-1' is invalid. Expected a number of seconds from 0 up, such as 10 or 2.5`,
      ),
    ],
    [
      ['--iterations', '0'],
      usage('--iterations <n>', `argument '0' is invalid. Expected an integer from 1 and up`),
    ],
    [
      ['--seed', 'x'],
      usage('--seed <n>', `argument 'x' is invalid. Expected an integer from 0 to 4294967295`),
    ],
    [
      ['--backend', 'local', '--threads', '2'],
      'functionfuse: --threads only applies to --backend threads: remove it or add threads to --backend.\n',
    ],
    [
      ['--compare', join(folder, 'missing.json')],
      `functionfuse: Cannot use --compare ${JSON.stringify(join(folder, 'missing.json'))}: it cannot be read (ENOENT): give a file written by functionfuse bench --json.\n`,
    ],
    [
      ['--compare', notJson],
      `functionfuse: Cannot use --compare ${JSON.stringify(notJson)}: it is not JSON: give a file written by functionfuse bench --json.\n`,
    ],
    [
      ['--compare', notOurs],
      `functionfuse: Cannot use --compare ${JSON.stringify(notOurs)}: it has no "kind": "functionfuse-bench/1": give a file written by functionfuse bench --json.\n`,
    ],
    [
      ['--json', join(folder, 'no-such-folder', 'bench.json')],
      `functionfuse: Cannot write --json ${JSON.stringify(join(folder, 'no-such-folder', 'bench.json'))}: the folder ${join(folder, 'no-such-folder')} does not exist: create it first (mkdir -p ${join(folder, 'no-such-folder')}) or choose another path.\n`,
    ],
  ])('refuses %j with one line and exit code 2', async (args, stderr) => {
    // The missing module proves nothing was imported: the options were refused first.
    const outcome = await runFunctionfuse(['bench', 'test/fixtures/no-such-pipeline.ts', ...args]);
    expect(outcome).toEqual({ code: 2, signal: null, stdout: '', stderr });
  });

  it('fails with exit code 1 when the results differ between runs, naming the runs and the leaf', async () => {
    const outcome = await runFunctionfuse([
      'bench',
      'test/fixtures/cli-random.ts',
      '--backend',
      'local',
      '--time',
      '0',
      '--iterations',
      '2',
      '--no-progress',
    ]);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(
      /^functionfuse: ResultsDifferError: Benchmark of "cli-random": local \(warm run 2\) gave another result than local \(cold first run\) for leaf "total": [\d.]+ instead of [\d.]+\. A benchmark of a wrong result is worthless: make the pipeline deterministic \(seed its random draws with --seed or RandomStatePlugin\) and run again\. \(--verbose shows the stack\)\.\n$/,
    );
  });

  it('measures the same random pipeline with --seed, identical on every backend', async () => {
    const outcome = await runFunctionfuse(
      [
        'bench',
        'test/fixtures/cli-random.ts',
        '--seed',
        '7',
        '--threads',
        '1',
        '--time',
        '0',
        '--iterations',
        '2',
      ],
      {},
    );
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^local /m);
    expect(outcome.stdout).toMatch(/^threads {2}1 /m);
  });

  it('finds a pipeline module in the Monte Carlo example, the one the README benchmarks', async () => {
    const drawing = join(folder, 'monte-carlo.mmd');
    const outcome = await runFunctionfuse([
      'graph',
      'examples/monte-carlo/pipeline-module.ts',
      '--out',
      drawing,
    ]);
    expect(outcome).toEqual({
      code: 0,
      signal: null,
      stdout: '',
      stderr: `functionfuse: Wrote the graph of workflow "monte-carlo" (34 nodes, Mermaid) to ${drawing}.\n`,
    });
  });

  it('describes what it measures in --help', async () => {
    const outcome = await runFunctionfuse(['bench', '--help']);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout.split('\n')[0]).toBe('Usage: functionfuse bench [options] <pipeline>');
    for (const mention of [
      '--backend <names>',
      '--threads <counts>',
      '--time <seconds>',
      '--iterations <n>',
      '--seed <n>',
      '--nodes',
      '--json <file>',
      '--compare <file>',
      '--no-progress',
      '$ functionfuse bench pipeline.ts --compare bench.json   # in CI: exit 1 when slower',
    ]) {
      expect(outcome.stdout).toContain(mention);
    }
    expect((await runFunctionfuse(['--help'])).stdout).toContain('  bench [options] <pipeline>');
  });

  it.each([
    [0.0123, '12.3 µs'],
    [0.99996, '1.00 ms'],
    [12.34, '12.3 ms'],
    [999.96, '1.00 s'],
    [1234, '1.23 s'],
    [1_234_567, '1235 s'],
  ])('prints %d ms as %s: three digits, the unit chosen after rounding', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});
