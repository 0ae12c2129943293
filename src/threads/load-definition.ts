/**
 * Worker side: find the task or actor class a job names, by importing the module that
 * defined it. TypeScript modules get tsx's loader registered in this thread first: Node 20
 * does not pass a parent's loader hooks to worker threads. A worker of a process that runs
 * under tsx registers it before any module of the user's (worker-tsx.ts says why it was not
 * started with tsx's flags).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { workerData } from 'node:worker_threads';
import { TaskNotFoundError, WorkflowInWorkerError } from '../errors.js';
import { type Definition, definitionKeys, lookupDefinition } from '../graph/registry.js';
import { markWorkerImport, refusalDuringImport } from '../workflow/worker-guard.js';
import type { TsxRegistration, WorkerTsxData } from './worker-tsx.js';

const loadedModules = new Map<string, Promise<Record<string, unknown>>>();
/**
 * Modules whose import failed. Their tasks may still be in the registry (task() ran before the
 * module threw, say from a top-level await): they must not run.
 */
const failedModules = new Set<string>();
let tsxRegistration: Promise<void> | undefined;
let packageLoading: Promise<unknown> | undefined;

const typeScriptExtension = /\.(?:[cm]?ts|tsx)$/;
/** tsx as the parent process ran it, for this worker to register (worker-tsx.ts). */
const parentTsx: TsxRegistration | undefined = (workerData as WorkerTsxData | null | undefined)?.tsx;

/**
 * A definition already loaded in this thread, found at once; undefined when its module still
 * has to be imported, or failed to import (then loadDefinition rejects with that failure).
 */
export function loadedDefinition(moduleUrl: string, key: string): Definition | undefined {
  return failedModules.has(moduleUrl) ? undefined : lookupDefinition(moduleUrl, key);
}

export async function loadDefinition(moduleUrl: string, key: string): Promise<Definition> {
  const found = loadedDefinition(moduleUrl, key);
  if (found !== undefined) return found;
  try {
    await loadModule(moduleUrl);
  } catch (error) {
    // A module that exists and fails to load (it throws, or one of its imports is missing)
    // fails with its own error; a module that is not there is the task's location at fault.
    if (!moduleExists(moduleUrl)) throw missingModule(moduleUrl, key, error);
    if (error instanceof WorkflowInWorkerError && lookupDefinition(moduleUrl, key) === undefined) {
      // The script defines the task inside a function, so importing it finds no task either.
      throw new WorkflowInWorkerError(
        `${error.message} Task "${key}" is not defined at the top level of that module either: define it with ` +
          'task() at the top level of the tasks module.',
        { cause: error },
      );
    }
    throw error;
  }
  const definition = lookupDefinition(moduleUrl, key);
  if (definition === undefined) throw notFound(moduleUrl, key);
  return definition;
}

/** A module's namespace, imported once per thread (with tsx for TypeScript modules). */
export function loadModule(moduleUrl: string): Promise<Record<string, unknown>> {
  let loading = loadedModules.get(moduleUrl);
  if (loading === undefined) {
    loading = importModule(moduleUrl);
    loadedModules.set(moduleUrl, loading);
  }
  return loading;
}

async function importModule(moduleUrl: string): Promise<Record<string, unknown>> {
  // A CommonJS task module require()s 'functionfuse'. Node's require() of an ES module that an
  // import() in the same thread is still loading fails or aborts (nodejs/node#55782), and task
  // modules and plugin modules load concurrently here; so the package is loaded in full first.
  // An ES module task module imports it anyway, so this costs nothing.
  packageLoading ??= import('../index.js');
  await packageLoading;
  if (parentTsx !== undefined || typeScriptExtension.test(new URL(moduleUrl).pathname)) {
    await registerTsx(moduleUrl);
  }
  markWorkerImport(moduleUrl);
  try {
    const namespace = (await import(moduleUrl)) as Record<string, unknown>;
    // Refused even when the module caught the refusal and went on: it runs a pipeline when
    // imported, and has now run it once more in this worker.
    const refusal = refusalDuringImport(moduleUrl);
    if (refusal !== undefined) throw refusal;
    return namespace;
  } catch (error) {
    failedModules.add(moduleUrl);
    throw error;
  } finally {
    markWorkerImport(undefined);
  }
}

function registerTsx(moduleUrl: string): Promise<void> {
  tsxRegistration ??= (async () => {
    let api: { register: () => unknown };
    try {
      if (parentTsx !== undefined) {
        // What tsx's own loader flag registers: its ES module and CommonJS hooks.
        const cjs = (await import(parentTsx.cjs)) as { register: () => unknown };
        cjs.register();
      }
      api = (await import(parentTsx?.esm ?? 'tsx/esm/api')) as { register: () => unknown };
    } catch (cause) {
      // Under a parent's tsx, the module may be JavaScript: the worker registers tsx for whatever it imports.
      const why =
        parentTsx === undefined
          ? `The task module ${moduleUrl} is TypeScript, and worker threads need tsx to load it, but tsx could not be imported.`
          : `The process runs under tsx, and worker threads register it before loading ${moduleUrl}, but tsx's API (${parentTsx.esm}) could not be imported.`;
      throw new TaskNotFoundError(
        `${why} Install it (npm install --save-dev tsx) or compile your task modules to JavaScript.`,
        { cause },
      );
    }
    api.register();
  })();
  return tsxRegistration;
}

function moduleExists(moduleUrl: string): boolean {
  try {
    return !moduleUrl.startsWith('file:') || existsSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

function missingModule(moduleUrl: string, key: string, cause: unknown): TaskNotFoundError {
  return new TaskNotFoundError(
    `Task "${key}" could not be loaded by a worker thread: its module ${moduleUrl} does not exist. Workers ` +
      "import the module that defined a task: the file task() was called in, or the task's `module` option, " +
      'which must name that file (pass { module: import.meta.url }), and the file must still be there when the ' +
      'workflow runs.',
    { cause },
  );
}

function notFound(moduleUrl: string, key: string): TaskNotFoundError {
  const known = definitionKeys(moduleUrl);
  return new TaskNotFoundError(
    `Task "${key}" was not found in ${moduleUrl} by a worker thread. Workers import the module that defined a ` +
      'task and look it up there, so define it with task() at the top level of that module (not inside a ' +
      'function, a condition or a test), or, in bundled code, pass { module: import.meta.url, name } to task(). ' +
      `That module defines: ${known.length > 0 ? known.join(', ') : 'no tasks'}.`,
  );
}
