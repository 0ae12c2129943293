import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliPath, repositoryRoot, runFunctionfuse } from './fixtures/cli-process.js';

const pipeline = 'test/fixtures/cli-pipeline.ts';
const randomPipeline = 'test/fixtures/cli-random.ts';

const expectedResult = `[
  13,
  { "total": 46, "count": 12 },
  { "$type": "Float64Array", "values": [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5] }
]
`;

describe('functionfuse run', () => {
  it.each([
    ['local', ['--backend', 'local']],
    ['threads', ['--backend', 'threads', '--threads', '2']],
    ['threads (the default backend)', ['--threads', '1']],
  ])('prints the results of a TypeScript pipeline module as JSON on %s', async (_, backend) => {
    const outcome = await runFunctionfuse(['run', pipeline, ...backend, '--no-progress']);
    expect(outcome).toEqual({ code: 0, signal: null, stdout: expectedResult, stderr: '' });
  });

  it('gives identical random draws on both backends with --seed, and other draws with another seed', async () => {
    const [local, threads, oneThread, otherSeed] = await Promise.all([
      runFunctionfuse(['run', randomPipeline, '--backend', 'local', '--seed', '7', '--no-progress']),
      runFunctionfuse([
        'run',
        randomPipeline,
        '--backend',
        'threads',
        '--threads',
        '2',
        '--seed',
        '7',
        '--no-progress',
      ]),
      runFunctionfuse([
        'run',
        randomPipeline,
        '--backend',
        'threads',
        '--threads',
        '1',
        '--seed',
        '7',
        '--no-progress',
      ]),
      runFunctionfuse(['run', randomPipeline, '--backend', 'local', '--seed', '8', '--no-progress']),
    ]);
    for (const outcome of [local, threads, oneThread, otherSeed]) expect(outcome.code).toBe(0);
    const [total, ...draws] = JSON.parse(local.stdout) as [number, ...number[][]];
    expect(draws).toHaveLength(4);
    expect(new Set(draws.flat()).size).toBe(12);
    expect(total).toBe(draws.flat().reduce((sum, value) => sum + value, 0));
    expect(threads.stdout).toBe(local.stdout);
    expect(oneThread.stdout).toBe(local.stdout);
    expect(otherSeed.stdout).not.toBe(local.stdout);
  });

  it.each([
    ['local', ['--backend', 'local']],
    ['threads', ['--threads', '2']],
  ])('prints plain progress lines on stderr when it is not a terminal (%s)', async (_, backend) => {
    const outcome = await runFunctionfuse(['run', pipeline, ...backend]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toBe(expectedResult);
    const lines = outcome.stderr.trimEnd().split('\n');
    // Periodic lines come every 2 s, so a quick run may print only the final one.
    expect(lines.at(-1)).toMatch(
      /^functionfuse: cli-demo: finished, 4\/4 nodes done, 0 failed, 0 cached, 0 skipped in \d+\.\d s$/,
    );
    for (const line of lines.slice(0, -1)) {
      expect(line).toMatch(
        /^functionfuse: cli-demo: \d\/4 nodes done, \d running, 0 failed, 0 cached, [\d.]+ s elapsed, ETA .+$/,
      );
    }
  });

  it('prints a progress line every 2 s while a node runs, then the final one', async () => {
    // The node sleeps 2.5 s on a timer due after the 2 s progress timer, so a line is due first.
    const outcome = await runFunctionfuse(['run', 'test/fixtures/cli-slow.ts', '--backend', 'local']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toBe('2500\n');
    const lines = outcome.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(
      /^functionfuse: slow: 0\/1 nodes done, 1 running, 0 failed, 0 cached, \d+\.\d s elapsed, ETA unknown$/,
    );
    expect(lines.at(-1)).toMatch(
      /^functionfuse: slow: finished, 1\/1 nodes done, 0 failed, 0 cached, 0 skipped in \d+\.\d s$/,
    );
  });

  it('ends quietly, exit 0, when the reader of its output stops reading (| head)', () => {
    const command = `'${process.execPath}' '${cliPath}' run test/fixtures/cli-long-output.ts --backend local --no-progress | head -c 20`;
    const outcome = spawnSync('bash', ['-o', 'pipefail', '-c', command], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toHaveLength(20);
    expect(outcome.status).toBe(0);
  });

  it('draws a progress bar when stderr is a terminal', () => {
    // util-linux's `script` (Essential on Debian) gives the CLI a pseudo-terminal.
    const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
    const command = [process.execPath, cliPath, 'run', 'test/fixtures/cli-pipeline.ts', '--backend', 'local']
      .map(quote)
      .join(' ');
    const outcome = spawnSync('script', ['-qec', command, '/dev/null'], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (outcome.error !== undefined)
      throw new Error(`Could not run \`script\` (util-linux): ${outcome.error.message}`);
    expect(outcome.status).toBe(0);
    // The bar redraws in place: the last drawing shows every node done.
    expect(outcome.stdout).toMatch(
      /█{40} 4\/4 nodes done \| 0 running \| 0 failed \| 0 cached \| 0 stale \| 0 retries \| \d+\.\d s elapsed \| ETA /,
    );
    expect(outcome.stdout).not.toContain('functionfuse: cli-demo: finished');
    expect(outcome.stdout).toContain('{ "total": 46, "count": 12 }');
    // A terminal gets typed arrays summarised, and a line saying where the full values are.
    expect(outcome.stdout).toContain(
      '{ "type": "Float64Array", "length": 12, "first": [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5] }',
    );
    expect(outcome.stdout).toContain(
      'functionfuse: Typed arrays and buffers are summarised on a terminal: write every value with --out FILE or > FILE.',
    );
  });
});
