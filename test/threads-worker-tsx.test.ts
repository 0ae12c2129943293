/**
 * Which of the process's flags worker threads start with (src/threads/worker-tsx.ts): tsx's
 * loader flags, in every form Node accepts, are left out when tsx's registration API can be
 * found (from the flag's own path, or from the working folder for a bare `tsx`), and every
 * other flag a worker accepts is kept in order; without tsx, or when tsx cannot be found,
 * nothing changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { workerFlags } from '../dist/src/threads/worker-tsx.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const tsxDist = join(repo, 'node_modules', 'tsx', 'dist');
const registration = {
  esm: pathToFileURL(join(tsxDist, 'esm', 'api', 'index.mjs')).href,
  cjs: pathToFileURL(join(tsxDist, 'cjs', 'api', 'index.mjs')).href,
};
const empty = mkdtempSync(join(tmpdir(), 'functionfuse-no-tsx-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('workerFlags', () => {
  it("leaves out tsx's own command's flags, and finds tsx from their paths", () => {
    const flags = [
      '--require',
      join(tsxDist, 'preflight.cjs'),
      '--import',
      pathToFileURL(join(tsxDist, 'loader.mjs')).href,
    ];
    expect(workerFlags(flags, empty)).toEqual({ execArgv: [], tsx: registration });
  });

  it('leaves out a bare tsx in every flag form, keeps the other flags in order, and finds tsx from the working folder', () => {
    const flags = [
      '--enable-source-maps',
      '--import',
      'tsx',
      '--import=tsx/esm',
      '-r',
      'tsx/cjs',
      '--loader=tsx',
    ];
    const kept = ['--conditions', 'development', '--require=./setup.cjs'];
    expect(workerFlags([...flags, ...kept], repo)).toEqual({
      execArgv: ['--enable-source-maps', '--conditions', 'development', '--require=./setup.cjs'],
      tsx: registration,
    });
  });

  it('leaves out the V8 and per-process flags a worker may not be given, which hold for the whole process anyway', () => {
    const flags = ['--expose-gc', '--import', 'tsx', '--stack-size=2000', '--conditions', 'development'];
    expect(workerFlags(flags, repo)).toEqual({
      execArgv: ['--conditions', 'development'],
      tsx: registration,
    });
  });

  it('changes nothing without tsx', () => {
    const flags = ['--import', './instrument.mjs', '--max-old-space-size=4096'];
    expect(workerFlags(flags, repo)).toEqual({ execArgv: flags, tsx: undefined });
  });

  it('keeps the flags when tsx cannot be found from where the process runs', () => {
    const flags = ['--import', 'tsx', '--enable-source-maps'];
    expect(workerFlags(flags, empty)).toEqual({ execArgv: flags, tsx: undefined });
  });
});
