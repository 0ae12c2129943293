/**
 * Whether the tests that need a program of the system (Chromium, a Redis server) run: they run
 * wherever it is found; with `CI=true` a missing one fails the test file, since CI installs it
 * (.ci/run) and a missing one there is a broken setup; elsewhere those tests are skipped with one
 * line on stderr, once per test run, saying what to install. So `npm test` passes on a fresh
 * machine and CI still runs everything.
 *
 * @example
 * const chromium = systemProgram('chromium', { path: '/usr/bin/chromium', install: 'apt-get install -y chromium' });
 * describe.runIf(chromium.runs)('the report in Chromium', () => { ... });
 */
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { inject } from 'vitest';

/** Where a program is looked for and how a person gets it. */
export interface SystemProgramOptions {
  /**
   * The executable's absolute path.
   * @default the program's name looked up in every folder of PATH
   */
  readonly path?: string;
  /** The command that installs it on Debian, shown when it is missing: `apt-get install -y chromium`. */
  readonly install: string;
  /**
   * An environment variable that, when set, points the tests at the program instead (a Redis
   * server's URL): it then counts as found, its value as the location.
   */
  readonly env?: string;
}

/** What {@link systemProgram} found. */
export interface SystemProgram {
  readonly name: string;
  /** The executable found, or the value of the options' `env` variable; undefined when missing. */
  readonly location: string | undefined;
  /** Whether the tests that need the program run. */
  readonly runs: boolean;
}

/** What {@link resolveSystemProgram} reads from its surroundings, so it can be tested. */
export interface SystemProgramContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Prints `line` unless a line with this `key` was already printed in this test run. */
  noteOnce(key: string, line: string): void;
}

/**
 * Finds `name` for the test file that calls it (at its top level).
 *
 * @throws {Error} when the program is missing and `CI` is set (to anything but `0` or `false`).
 *
 * @example
 * const redis = systemProgram('redis-server', { install: 'apt-get install -y redis-server', env: 'FUNCTIONFUSE_REDIS_URL' });
 */
export function systemProgram(name: string, options: SystemProgramOptions): SystemProgram {
  return resolveSystemProgram(name, options, { env: process.env, noteOnce: noteOncePerRun });
}

/**
 * {@link systemProgram} with its surroundings given.
 *
 * @example
 * resolveSystemProgram('chromium', { path: '/usr/bin/chromium', install: 'apt-get install -y chromium' }, { env: {}, noteOnce: console.error });
 */
export function resolveSystemProgram(
  name: string,
  options: SystemProgramOptions,
  context: SystemProgramContext,
): SystemProgram {
  const fromEnv = options.env === undefined ? undefined : context.env[options.env];
  const location =
    fromEnv !== undefined && fromEnv !== ''
      ? fromEnv
      : options.path === undefined
        ? findOnPath(name, context.env['PATH'] ?? '')
        : isExecutable(options.path)
          ? options.path
          : undefined;
  if (location !== undefined) return { name, location, runs: true };

  const where = options.path === undefined ? 'on PATH' : `at ${options.path}`;
  const orEnv = options.env === undefined ? '' : ` or set ${options.env}`;
  if (isCi(context.env['CI'])) {
    throw new Error(
      `${name} is required when CI is set, and it is not ${where}: install it with \`${options.install}\`${orEnv} (.ci/run does this).`,
    );
  }
  context.noteOnce(
    name,
    `functionfuse tests: skipped the tests that need ${name}, which is not ${where}; ` +
      `install it with \`${options.install}\`${orEnv} to run them (with CI=true they are required).`,
  );
  return { name, location: undefined, runs: false };
}

/** `CI=true` (or any value but empty, `0` and `false`), as CI services set it. */
function isCi(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false'].includes(value.toLowerCase());
}

function findOnPath(name: string, path: string): string | undefined {
  for (const folder of path.split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Test files run in separate workers; a marker file in the run's folder (made by the global
 * setup) lets only the first of them print a program's line. Without that folder (a file run
 * outside this config), every caller prints.
 */
function noteOncePerRun(key: string, line: string): void {
  const folder = inject('testRunFolder');
  if (folder !== undefined) {
    try {
      closeSync(openSync(join(folder, `noted-${encodeURIComponent(key)}`), 'wx'));
    } catch {
      return; // Printed already by another test file of this run.
    }
  }
  process.stderr.write(`${line}\n`);
}
