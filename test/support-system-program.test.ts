/** The rule for tests that need a system program: run where found, required with CI, else one note. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSystemProgram, type SystemProgramContext } from './support/system-program.js';

const missing = { path: '/nonexistent/chromium', install: 'apt-get install -y chromium' };
const folder = mkdtempSync(join(tmpdir(), 'functionfuse-system-program-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A context whose notes are recorded, printed once per key as the real one does per run. */
function context(env: Record<string, string>): SystemProgramContext & { notes: string[] } {
  const notes: string[] = [];
  const noted = new Set<string>();
  return {
    env,
    notes,
    noteOnce(key, line) {
      if (noted.has(key)) return;
      noted.add(key);
      notes.push(line);
    },
  };
}

describe('systemProgram', () => {
  it('runs the tests where the program is found, at its path or on PATH, with nothing printed', () => {
    const surroundings = context({ CI: 'true', PATH: `${folder}:${dirname(process.execPath)}` });
    expect(resolveSystemProgram('node', { path: process.execPath, install: 'x' }, surroundings)).toEqual({
      name: 'node',
      location: process.execPath,
      runs: true,
    });
    expect(resolveSystemProgram(basename(process.execPath), { install: 'x' }, surroundings)).toEqual({
      name: basename(process.execPath),
      location: process.execPath,
      runs: true,
    });
    expect(surroundings.notes).toEqual([]);
  });

  it('fails the test file when the program is missing and CI is set', () => {
    for (const ci of ['true', '1', 'yes']) {
      expect(() => resolveSystemProgram('chromium', missing, context({ CI: ci }))).toThrow(
        new Error(
          'chromium is required when CI is set, and it is not at /nonexistent/chromium: ' +
            'install it with `apt-get install -y chromium` (.ci/run does this).',
        ),
      );
    }
  });

  it('skips elsewhere, with one line saying what to install, however many files ask', () => {
    for (const env of [{}, { CI: 'false' }, { CI: '0' }, { CI: '' }]) {
      const surroundings = context(env);
      expect(resolveSystemProgram('chromium', missing, surroundings)).toEqual({
        name: 'chromium',
        location: undefined,
        runs: false,
      });
      expect(resolveSystemProgram('chromium', missing, surroundings).runs).toBe(false);
      expect(surroundings.notes).toEqual([
        'functionfuse tests: skipped the tests that need chromium, which is not at /nonexistent/chromium; ' +
          'install it with `apt-get install -y chromium` to run them (with CI=true they are required).',
      ]);
    }
  });

  it('counts an environment variable that points at the program (a server URL) as found', () => {
    const redis = { install: 'apt-get install -y redis-server', env: 'FUNCTIONFUSE_REDIS_URL' };
    const surroundings = context({ PATH: folder, FUNCTIONFUSE_REDIS_URL: 'redis://127.0.0.1:6390' });
    expect(resolveSystemProgram('redis-server', redis, surroundings)).toEqual({
      name: 'redis-server',
      location: 'redis://127.0.0.1:6390',
      runs: true,
    });
    const without = context({ PATH: folder });
    expect(resolveSystemProgram('redis-server', redis, without).runs).toBe(false);
    expect(without.notes).toEqual([
      'functionfuse tests: skipped the tests that need redis-server, which is not on PATH; install it with ' +
        '`apt-get install -y redis-server` or set FUNCTIONFUSE_REDIS_URL to run them (with CI=true they are required).',
    ]);
    expect(() => resolveSystemProgram('redis-server', redis, context({ PATH: folder, CI: 'true' }))).toThrow(
      'redis-server is required when CI is set, and it is not on PATH: install it with ' +
        '`apt-get install -y redis-server` or set FUNCTIONFUSE_REDIS_URL (.ci/run does this).',
    );
  });
});
