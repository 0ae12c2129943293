/**
 * `functionfuse bench`, run as a user would (the built executable in a child process): the
 * table on stdout, progress on stderr, the --json file, --compare's exit codes and Ctrl-C.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killLeftoverProcesses, runFunctionfuse } from './fixtures/cli-process.js';

const pipeline = 'test/fixtures/cli-pipeline.ts';
const quick = ['--time', '0', '--iterations', '3'];
const folder = mkdtempSync(join(tmpdir(), 'functionfuse-cli-bench-'));
afterEach(killLeftoverProcesses);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const duration = String.raw`\d[\d.]* (?:µs|ms|s)`;
const statistics = String.raw`${duration} +${duration} +${duration} +(?:\d+\.\d %|∞) +\d+`;
/** The machine as the CLI describes it, so an earlier file can claim to come from here. */
const thisMachine = {
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: availableParallelism(),
  node: process.version,
};
const heading = /^cli-demo on .+ \(\d+ cores\), Node v\d+\.\d+\.\d+: warm runs, storage off$/;

interface JsonRow {
  backend: string;
  threads?: number;
  label: string;
  coldMs: number;
  state: string;
  latency: Record<string, number>;
  throughput: Record<string, number>;
  speedup?: number;
}

describe('functionfuse bench', () => {
  it('prints one table: a row per backend and thread count, the cold first runs on their own line', async () => {
    const outcome = await runFunctionfuse(['bench', pipeline, ...quick, '--threads', '1,2']);
    expect(outcome.code).toBe(0);
    const lines = outcome.stdout.split('\n');
    expect(lines[0]).toMatch(heading);
    expect(lines.slice(1)).toEqual([
      '',
      expect.stringMatching(/^backend {2}threads +mean +median +p99 +± rme +samples +speedup$/),
      expect.stringMatching(new RegExp(String.raw`^local {4}- +${statistics} +1\.00 ×$`)),
      expect.stringMatching(new RegExp(String.raw`^threads  1 +${statistics} +\d+\.\d\d ×$`)),
      expect.stringMatching(new RegExp(String.raw`^threads  2 +${statistics} +\d+\.\d\d ×$`)),
      '',
      expect.stringMatching(
        new RegExp(
          String.raw`^cold first runs \(not in the statistics\): local ${duration}, threads ×1 ${duration}, threads ×2 ${duration}$`,
        ),
      ),
      '',
    ]);
    // Progress: each row's cold run and its end; lines every 2 s in between on slow rows.
    const progress = outcome.stderr.split('\n').filter((line) => !/ warm runs?, [\d.]+ s$/.test(line));
    expect(progress).toEqual([
      expect.stringMatching(new RegExp(`^functionfuse: bench cli-demo: local: cold first run ${duration}$`)),
      expect.stringMatching(
        new RegExp(`^functionfuse: bench cli-demo: local: \\d+ warm runs?, median ${duration}$`),
      ),
      expect.stringMatching(
        new RegExp(`^functionfuse: bench cli-demo: threads ×1: cold first run ${duration}$`),
      ),
      expect.stringMatching(/^functionfuse: bench cli-demo: threads ×1: \d+ warm runs?, median /),
      expect.stringMatching(
        new RegExp(`^functionfuse: bench cli-demo: threads ×2: cold first run ${duration}$`),
      ),
      expect.stringMatching(/^functionfuse: bench cli-demo: threads ×2: \d+ warm runs?, median /),
      '',
    ]);
  });

  it('adds the slowest nodes with --nodes, by their median on each row', async () => {
    const outcome = await runFunctionfuse([
      'bench',
      pipeline,
      ...quick,
      '--threads',
      '1',
      '--nodes',
      '--no-progress',
    ]);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe('');
    const table = outcome.stdout.split('\n\nslowest nodes (median over the warm runs, by local)\n')[1];
    const lines = table?.trimEnd().split('\n') ?? [];
    expect(lines[0]).toMatch(/^node +local +threads ×1$/);
    expect(
      lines
        .slice(1)
        .map((line) => line.split(' ')[0])
        .sort(),
    ).toEqual(['first', 'ramp', 'second', 'summary']);
    for (const line of lines.slice(1)) {
      expect(line).toMatch(new RegExp(`^\\w+ +${duration} +${duration}$`));
    }
  });

  it("writes tinybench's statistics of every row with the machine and the pipeline to --json", async () => {
    const file = join(folder, 'bench.json');
    const outcome = await runFunctionfuse([
      'bench',
      pipeline,
      ...quick,
      '--threads',
      '1',
      '--json',
      file,
      '--no-progress',
    ]);
    expect(outcome.code).toBe(0);
    const content = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { rows: JsonRow[] };
    expect(Object.keys(content)).toEqual([
      'kind',
      'module',
      'pipeline',
      'machine',
      'date',
      'timeMs',
      'iterations',
      'rows',
      'interrupted',
    ]);
    expect(content).toMatchObject({
      kind: 'functionfuse-bench/1',
      module: pipeline,
      pipeline: 'cli-demo',
      machine: { cpu: expect.any(String), cores: expect.any(Number), node: process.version },
      timeMs: 0,
      iterations: 3,
      interrupted: false,
    });
    expect(content.rows.map((row) => [row.backend, row.threads, row.label, row.state])).toEqual([
      ['local', undefined, 'local', 'completed'],
      ['threads', 1, 'threads ×1', 'completed'],
    ]);
    const statisticNames = [
      'mean',
      'min',
      'max',
      'p50',
      'p75',
      'p99',
      'p995',
      'p999',
      'variance',
      'sd',
      'sem',
    ];
    for (const row of content.rows) {
      expect(Object.keys(row.latency)).toEqual([
        ...statisticNames,
        'moe',
        'rme',
        'aad',
        'mad',
        'df',
        'critical',
        'samplesCount',
      ]);
      expect(row.latency['samplesCount']).toBeGreaterThanOrEqual(3);
      expect(row.throughput['mean']).toBeGreaterThan(0);
      expect(row.coldMs).toBeGreaterThan(0);
      expect(row.speedup).toBeGreaterThan(0);
    }
  });

  describe('--compare', () => {
    /** An earlier file for the local row only, with its mean and margin of error set. */
    function earlierFile(
      name: string,
      mean: number,
      overrides: Record<string, unknown> = {},
      moe = 0,
    ): string {
      const file = join(folder, name);
      const row = { backend: 'local', label: 'local', latency: { mean, moe } };
      const content = {
        kind: 'functionfuse-bench/1',
        pipeline: 'cli-demo',
        machine: thisMachine,
        rows: [row],
      };
      writeFileSync(file, JSON.stringify({ ...content, ...overrides }));
      return file;
    }
    const local = [...quick, '--backend', 'local', '--no-progress'];

    it('exits 1 and names the rows slower beyond the margins of error', async () => {
      // An earlier figure that every run is slower than, however wide its own interval: the
      // earlier interval, set by hand, ends far below zero. With a margin of 0 the test depended on
      // this machine's spread: one slow run among 30 can widen the interval down past 0, where it
      // overlaps the earlier figure, and the row is "within margin".
      const file = earlierFile('fast-before.json', 1e-9, {}, -1e12);
      const outcome = await runFunctionfuse([
        'bench',
        pipeline,
        ...local,
        '--iterations',
        '30',
        '--compare',
        file,
      ]);
      expect(outcome.code).toBe(1);
      expect(outcome.stdout).toMatch(/^backend {2}threads .* speedup +vs earlier$/m);
      expect(outcome.stdout).toMatch(
        new RegExp(`^local {4}- +${statistics} +1\\.00 × +\\+[\\d.]+ % slower$`, 'm'),
      );
      expect(outcome.stderr).toMatch(
        new RegExp(
          `^functionfuse: 1 row slower than in ${file} beyond the margins of error: local \\(\\+[\\d.]+ %\\)\\.\n$`,
        ),
      );
    });

    it('exits 0 when no row is slower: faster rows, and rows the earlier file lacks', async () => {
      const elsewhere = { cpu: 'Elsewhere 9000', cores: 64, node: 'v22.0.0' };
      const file = earlierFile('slow-before.json', 1e9, { machine: elsewhere });
      const outcome = await runFunctionfuse([
        'bench',
        pipeline,
        ...quick,
        '--threads',
        '1',
        '--no-progress',
        '--compare',
        file,
      ]);
      expect(outcome.code).toBe(0);
      // Comparing across machines is allowed, with a word on what it is worth.
      expect(outcome.stderr).toBe(
        `functionfuse: note: ${file} was measured on another machine or Node (Elsewhere 9000, 64 cores, Node v22.0.0): the comparison says little.\n`,
      );
      expect(outcome.stdout).toMatch(/^local .* −100\.0 % faster$/m);
      expect(outcome.stdout).toMatch(/^threads {2}1 .* new$/m);
    });

    it('compares with the file --json then overwrites, and finds a run within its margin of error', async () => {
      const file = join(folder, 'same.json');
      const first = await runFunctionfuse(['bench', pipeline, ...local, '--json', file]);
      expect(first.code).toBe(0);
      // The same row with a margin wide enough to hold any mean of the next run.
      const written = JSON.parse(readFileSync(file, 'utf8')) as { rows: JsonRow[] };
      const [row] = written.rows;
      if (row === undefined) throw new Error('no row written');
      row.latency['moe'] = 1e9;
      writeFileSync(file, JSON.stringify(written));
      const second = await runFunctionfuse(['bench', pipeline, ...local, '--compare', file, '--json', file]);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/^local .* [+−][\d.]+ % \(within margin\)$/m);
      expect(
        (JSON.parse(readFileSync(file, 'utf8')) as { rows: JsonRow[] }).rows[0]?.latency['moe'],
      ).toBeLessThan(1e9);
    });

    it('refuses a file of another pipeline before measuring', async () => {
      const file = earlierFile('other.json', 1, { pipeline: 'other' });
      const outcome = await runFunctionfuse(['bench', pipeline, ...local, '--compare', file]);
      expect(outcome).toEqual({
        code: 2,
        signal: null,
        stdout: '',
        stderr: `functionfuse: --compare ${JSON.stringify(file)} measured pipeline "other", not "cli-demo": compare benchmarks of one pipeline.\n`,
      });
    });
  });

  it('stops at the first Ctrl-C after the run under way, prints what was measured and exits 130', async () => {
    let sent = false;
    const outcome = await runFunctionfuse(
      ['bench', 'test/fixtures/cli-slow.ts', '--time', '600', '--iterations', '1000000'],
      {
        env: { CLI_SLOW_MS: '20' },
        onStderr: (stderr, child) => {
          if (!sent && stderr.includes(': local: cold first run ')) {
            sent = true;
            child.kill('SIGINT');
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(outcome.code).toBe(130);
    expect(outcome.stderr).toContain(
      'functionfuse: bench slow: stopping after the run under way (SIGINT; again to quit at once)\n',
    );
    expect(outcome.stdout).toMatch(new RegExp(`^local {4}- +${statistics} +1\\.00 ×$`, 'm'));
    expect(outcome.stdout).not.toMatch(/^threads/m);
    expect(outcome.stdout).toMatch(
      /\n\ninterrupted: rows not reached, or without a warm run, are missing\n$/,
    );
  });
});
