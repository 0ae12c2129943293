/**
 * Results are never thrown away: output paths are checked before the run, a write that still
 * fails after it costs neither the results nor the other files, and a file or a pipe gets the
 * results in full.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseResultJson } from '../src/cli/complete-json.js';
import { cliPath, killLeftoverProcesses, repositoryRoot, runFunctionfuse } from './fixtures/cli-process.js';

const pipeline = 'test/fixtures/cli-pipeline.ts';
const folder = mkdtempSync(join(tmpdir(), 'functionfuse-cli-outputs-'));
afterEach(killLeftoverProcesses);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const fileInFolder = join(folder, 'a-file');
writeFileSync(fileInFolder, 'not a folder\n');
const fullResults = [
  13,
  { total: 46, count: 12 },
  Float64Array.from({ length: 12 }, (_, index) => index * 0.5),
];

describe('functionfuse run output files', () => {
  it.each([
    ['--trace', 'run.json'],
    ['--report', 'run.html'],
    ['--graph', 'run.mmd'],
    ['--out', 'results.json'],
  ])(
    'refuses %s in a folder that does not exist, or that is a file, before the run (exit 2)',
    async (option, name) => {
      const missing = join(folder, 'no-such-folder', name);
      const underFile = join(fileInFolder, name);
      expect(await runFunctionfuse(['run', pipeline, '--backend', 'local', option, missing])).toEqual({
        code: 2,
        signal: null,
        stdout: '',
        // No progress line: nothing ran.
        stderr:
          `functionfuse: Cannot write ${option} ${JSON.stringify(missing)}: the folder ${join(folder, 'no-such-folder')} does not exist: ` +
          `create it first (mkdir -p ${join(folder, 'no-such-folder')}) or choose another path.\n`,
      });
      expect(await runFunctionfuse(['run', pipeline, '--backend', 'local', option, underFile])).toEqual({
        code: 2,
        signal: null,
        stdout: '',
        stderr: `functionfuse: Cannot write ${option} ${JSON.stringify(underFile)}: ${fileInFolder} is not a folder: choose another path.\n`,
      });
    },
  );

  it('refuses a folder given as the file, and one file named twice', async () => {
    const cases: [string[], string][] = [
      [
        ['--report', folder],
        `functionfuse: Cannot write --report ${JSON.stringify(folder)}: ${folder} is a folder: name a file, not a folder.`,
      ],
      [
        ['--trace', join(folder, 'same.json'), '--out', join(folder, 'same.json')],
        `functionfuse: --trace and --out both name ${JSON.stringify(join(folder, 'same.json'))}: give each its own file.`,
      ],
    ];
    for (const [args, line] of cases) {
      const outcome = await runFunctionfuse(['run', pipeline, '--backend', 'local', ...args]);
      expect(outcome).toEqual({ code: 2, signal: null, stdout: '', stderr: `${line}\n` });
    }
    expect(existsSync(join(folder, 'same.json'))).toBe(false);
  });

  // Root writes anywhere: the refusal is checked as "nobody" then, which needs a checkout that
  // others may enter (a clone in a private folder such as mktemp -d's is not).
  const asRoot = process.getuid?.() === 0;
  it.skipIf(asRoot && !othersCanEnter(repositoryRoot))(
    'refuses a folder it cannot write to (as "nobody" when the tests run as root)',
    async () => {
      const readOnly = join(folder, 'read-only');
      chmodSync(folder, 0o755); // mkdtemp's 0700 would hide the folders from "nobody" below.
      mkdirSync(readOnly);
      chmodSync(readOnly, 0o555);
      const target = join(readOnly, 'run.json');
      const outcome = await runFunctionfuse(
        ['run', pipeline, '--backend', 'local', '--trace', target],
        asRoot ? { user: { uid: 65534, gid: 65534 } } : {},
      );
      expect(outcome).toEqual({
        code: 2,
        signal: null,
        stdout: '',
        stderr: `functionfuse: Cannot write --trace ${JSON.stringify(target)}: the folder ${readOnly} cannot be written (EACCES): choose a path you can write to.\n`,
      });
    },
  );

  it('prints the results and keeps the trace when the report cannot be written after the run (exit 1)', async () => {
    const vanishing = join(folder, 'vanishing');
    mkdirSync(vanishing);
    const trace = join(folder, 'kept.json');
    const report = join(vanishing, 'run.html');
    const outcome = await runFunctionfuse(
      [
        'run',
        'test/fixtures/cli-vanishing.ts',
        '--backend',
        'local',
        '--no-progress',
        '--trace',
        trace,
        '--report',
        report,
      ],
      { env: { CLI_VANISH_DIR: vanishing } },
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('{ "$type": "Float64Array", "values": [0.5, -0, "NaN"] }\n');
    expect(outcome.stderr).toMatch(
      new RegExp(
        `^functionfuse: Could not write --report ${JSON.stringify(report).replaceAll(/[.*+?^${}()|[\]\\/]/g, '\\$&')} after the run \\((EEXIST|ENOTDIR): [^)]*\\); the results were still written\\.\n$`,
      ),
    );
    expect(JSON.parse(readFileSync(trace, 'utf8'))).toHaveProperty('traceEvents');
    expect(Object.is((parseResultJson(outcome.stdout) as Float64Array)[1], -0)).toBe(true);
  });

  it('prints the results on stdout when --out cannot be written after the run (exit 1)', async () => {
    const vanishing = join(folder, 'vanishing-out');
    mkdirSync(vanishing);
    const out = join(vanishing, 'results.json');
    const outcome = await runFunctionfuse(
      ['run', 'test/fixtures/cli-vanishing.ts', '--backend', 'local', '--no-progress', '--out', out],
      { env: { CLI_VANISH_DIR: vanishing } },
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('{ "$type": "Float64Array", "values": [0.5, -0, "NaN"] }\n');
    expect(outcome.stderr).toMatch(
      /^functionfuse: Could not write --out ".*results\.json" after the run \(ENOTDIR: [^)]*\); the results were printed on stdout instead\.\n$/,
    );
  });

  it('writes every value to --out, and nothing on stdout', async () => {
    const out = join(folder, 'results.json');
    const outcome = await runFunctionfuse([
      'run',
      pipeline,
      '--threads',
      '2',
      '--no-progress',
      '--out',
      out,
      '--verbose',
    ]);
    expect(outcome).toEqual({ code: 0, signal: null, stdout: '', stderr: `functionfuse: wrote ${out}\n` });
    expect(parseResultJson(readFileSync(out, 'utf8'))).toEqual(fullResults);
  });

  it('writes every value when stdout is a file (> results.json)', () => {
    const redirected = join(folder, 'redirected.json');
    const descriptor = openSync(redirected, 'w');
    try {
      const outcome = spawnSync(
        process.execPath,
        [cliPath, 'run', pipeline, '--backend', 'local', '--no-progress'],
        {
          cwd: repositoryRoot,
          stdio: ['ignore', descriptor, 'pipe'],
          encoding: 'utf8',
          timeout: 60_000,
          killSignal: 'SIGKILL',
        },
      );
      expect(outcome.status).toBe(0);
      expect(outcome.stderr).toBe('');
    } finally {
      closeSync(descriptor);
    }
    expect(parseResultJson(readFileSync(redirected, 'utf8'))).toEqual(fullResults);
  });
});

/** Whether users other than the owner may enter `folder` and every folder above it. */
function othersCanEnter(folder: string): boolean {
  for (let current = folder; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}
