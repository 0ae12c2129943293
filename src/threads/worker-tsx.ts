/**
 * Worker threads of a process started under tsx (`npx tsx main.ts`, `node --import tsx`) start
 * without tsx's loader flags, and register tsx themselves once Piscina and this package are
 * loaded, before the first module of the user's.
 *
 * Why: a worker inherits its parent's flags, so tsx's loader would see every module the worker
 * loads, Piscina's first. Loading Piscina through it grows the WebAssembly memory of tsx's lexer,
 * which detaches that memory's old ArrayBuffer; from then on V8 compiles the thread's typed-array
 * reads with a detached-buffer check, and a task's loops over a Float64Array run about 1.7 times
 * slower for the thread's life (bench/detach-probe.mjs). Registered after, tsx still compiles the
 * user's TypeScript (task modules, plugin and actor modules, and anything they import).
 *
 * tsx's registration API is found from the flag's own path (npx runs a tsx that the project may
 * not have installed) or, for a bare `--import tsx`, from the working folder, as Node resolved
 * it. If it cannot be found, the workers keep the flags, as before.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** File URLs of tsx's registration modules, for a worker to import. */
export interface TsxRegistration {
  readonly esm: string;
  readonly cjs: string;
}

/** The flags workers start with, and tsx's registration when the workers should do it. */
export interface WorkerFlags {
  readonly execArgv: readonly string[];
  readonly tsx: TsxRegistration | undefined;
}

const loaderFlags = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/**
 * `execArgv` without tsx's loader flags, and where tsx's registration API is; `execArgv` as it
 * is, and no registration, when it has no tsx flag or tsx cannot be found.
 *
 * Given explicitly, a worker's execArgv may hold no V8 or per-process flag (`--expose-gc`,
 * `--stack-size`: Node refuses the worker), where inherited ones are passed over; such flags
 * hold for the whole process anyway, so they are left out (`takes` says which Node refuses).
 *
 * @example
 * workerFlags(['--require', '/p/node_modules/tsx/dist/preflight.cjs', '--import', 'file:///p/node_modules/tsx/dist/loader.mjs']);
 * // { execArgv: [], tsx: { esm: 'file:///p/node_modules/tsx/dist/esm/api/index.mjs', cjs: '…/cjs/api/index.mjs' } }
 */
export function workerFlags(
  execArgv: readonly string[] = process.execArgv,
  cwd = process.cwd(),
  takes: (flags: readonly string[]) => boolean = workerTakes,
): WorkerFlags {
  const kept: string[] = [];
  const tsxValues: string[] = [];
  for (const unit of flagUnits(execArgv)) {
    const [flag = '', value] = unit;
    const equals = flag.indexOf('=');
    const name = equals === -1 ? flag : flag.slice(0, equals);
    const loads = equals === -1 ? value : flag.slice(equals + 1);
    if (loaderFlags.has(name) && loads !== undefined && isTsx(loads)) tsxValues.push(loads);
    else kept.push(...unit);
  }
  if (tsxValues.length === 0) return { execArgv, tsx: undefined };
  const tsx = findRegistration(tsxValues, cwd);
  if (tsx === undefined) return { execArgv, tsx: undefined };
  return { execArgv: takes(kept) ? kept : flagUnits(kept).filter(takes).flat(), tsx };
}

/** Each flag with the values that follow it (`--conditions development`). */
function flagUnits(flags: readonly string[]): string[][] {
  const units: string[][] = [];
  for (let index = 0; index < flags.length; ) {
    let end = index + 1;
    while (end < flags.length && !(flags[end] as string).startsWith('-')) end++;
    units.push(flags.slice(index, end));
    index = end;
  }
  return units;
}

/**
 * Whether `new Worker()` accepts `flags` as its execArgv. Tried without starting a thread: the
 * constructor checks execArgv first, then fails to clone a workerData that cannot be cloned,
 * before it starts one.
 */
function workerTakes(flags: readonly string[]): boolean {
  try {
    new Worker('', { eval: true, execArgv: [...flags], workerData: uncloneable });
  } catch (error) {
    return (error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV';
  }
  return true;
}

const uncloneable = (): void => {};

function isTsx(value: string): boolean {
  return value === 'tsx' || value.startsWith('tsx/') || /[\\/]node_modules[\\/]tsx[\\/]/.test(value);
}

/** tsx's API, from the package the first flag that names a path loads, or from `cwd`. */
function findRegistration(values: readonly string[], cwd: string): TsxRegistration | undefined {
  // A package name (tsx, tsx/esm) is resolved from the working folder, as Node resolved it.
  const path = values.find(
    (value) => value.startsWith('file:') || isAbsolute(value) || value.startsWith('.'),
  );
  const from =
    path === undefined
      ? join(cwd, 'noop.js')
      : path.startsWith('file:')
        ? fileURLToPath(path)
        : resolve(cwd, path);
  try {
    const packageJson = createRequire(from).resolve('tsx/package.json');
    const { exports } = JSON.parse(readFileSync(packageJson, 'utf8')) as {
      exports?: Record<string, { import?: { default?: string } } | string>;
    };
    const entry = (subpath: string): string => {
      const target = exports?.[subpath];
      const file = typeof target === 'object' ? target.import?.default : undefined;
      if (file === undefined) throw new Error(`tsx exports no ${subpath}`);
      return pathToFileURL(join(dirname(packageJson), file)).href;
    };
    return { esm: entry('./esm/api'), cjs: entry('./cjs/api') };
  } catch {
    return undefined;
  }
}

/** What a worker thread's workerData carries of this: the registration to do, if any. */
export interface WorkerTsxData {
  readonly tsx?: TsxRegistration;
}

let startOptions: { execArgv?: string[]; workerData?: WorkerTsxData } | undefined;

/**
 * Options for `new Worker()` or Piscina that start a worker without tsx's flags and tell it to
 * register tsx; none when this process runs without tsx. Worked out once per process.
 */
export function workerStartOptions(): { execArgv?: string[]; workerData?: WorkerTsxData } {
  if (startOptions === undefined) {
    const { execArgv, tsx } = workerFlags();
    startOptions = tsx === undefined ? {} : { execArgv: [...execArgv], workerData: { tsx } };
  }
  return startOptions;
}
