/**
 * Worker side: what a thread does before it can run its first node, measured apart from the
 * nodes. A thread starts (Node, the worker entry and its imports) once, and imports each task
 * module once (with tsx first for TypeScript): charged to the first node that needed them, these
 * made a task doing `x + 1` look like it took 100 ms (JavaScript) to 650 ms (TypeScript).
 */
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { loadDefinition, loadedDefinition, loadModule } from './load-definition.js';
import type { StartupStep, WarmUpRequest, WarmUpResult } from './messages.js';

/**
 * When this thread's Node environment was made, and when the worker entry had loaded. Both in
 * the clock of `performance.now()`, which in a Node 20 worker thread counts from the process's
 * start (its `performance.timeOrigin` is the process's), not the thread's: a thread started a
 * minute into the process would say it took a minute to start.
 */
const threadMadeAt = performance.nodeTiming.environment;
const entryLoadedAt = performance.now();
let threadStartReported = false;

/**
 * Whether this thread has start-up steps to take before it can run a node of `moduleUrl`'s task
 * `key`: its own start (reported once per thread) and the import of the module (once per
 * module). Asked for every job, so it answers without a promise.
 */
export function hasStartupBefore(moduleUrl: string, key: string): boolean {
  return !threadStartReported || loadedDefinition(moduleUrl, key) === undefined;
}

/**
 * The steps {@link hasStartupBefore} says there are, taken and timed; undefined when there are
 * none. A module that fails to import is not reported here: the job that needs it fails with
 * that error.
 */
export async function startupBefore(moduleUrl: string, key: string): Promise<StartupStep[] | undefined> {
  const steps: StartupStep[] = [];
  addThreadStart(steps);
  if (loadedDefinition(moduleUrl, key) === undefined) {
    await addImport(steps, moduleUrl, () => loadDefinition(moduleUrl, key));
  }
  return steps.length === 0 ? undefined : steps;
}

/**
 * Warms this thread up: imports every module of the request, then waits until every worker of
 * the pool has arrived (so no worker takes two requests). Its own start is reported here, not
 * on the first node it will run.
 */
export async function warmUp(request: WarmUpRequest): Promise<WarmUpResult> {
  const steps: StartupStep[] = [];
  addThreadStart(steps);
  for (const moduleUrl of request.moduleUrls) await addImport(steps, moduleUrl, () => loadModule(moduleUrl));
  const arrived = new Int32Array(request.barrier);
  Atomics.add(arrived, 0, 1);
  Atomics.notify(arrived, 0);
  const deadline = performance.now() + request.waitMs;
  // Blocking is fine here: the thread has nothing else to do until every worker has arrived.
  for (let seen = Atomics.load(arrived, 0); seen < request.workers; seen = Atomics.load(arrived, 0)) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    Atomics.wait(arrived, 0, seen, left);
  }
  return { threadId, steps, allArrived: Atomics.load(arrived, 0) >= request.workers };
}

/** The thread's own start, the first time this thread reports its start-up. */
function addThreadStart(steps: StartupStep[]): void {
  if (threadStartReported) return;
  threadStartReported = true;
  steps.push({
    label: 'thread start',
    startedAt: performance.timeOrigin + threadMadeAt,
    durationMs: entryLoadedAt - threadMadeAt,
  });
}

/**
 * Times `load` as the import of `moduleUrl`. A module that fails to import is not a step: the
 * nodes that need it fail with that error when they run.
 */
async function addImport(
  steps: StartupStep[],
  moduleUrl: string,
  load: () => Promise<unknown>,
): Promise<void> {
  const started = performance.now();
  try {
    await load();
  } catch {
    return;
  }
  steps.push({
    label: `import ${moduleName(moduleUrl)}`,
    startedAt: performance.timeOrigin + started,
    durationMs: performance.now() - started,
  });
}

function moduleName(moduleUrl: string): string {
  try {
    return basename(fileURLToPath(moduleUrl));
  } catch {
    return moduleUrl;
  }
}
