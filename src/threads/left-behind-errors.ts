/**
 * Which node an exception nothing caught came from, when a worker thread dies of one. A task
 * can start a timer, an event listener or a promise that throws after the task has returned;
 * the thread then dies while running whatever node came next, or while idle. Without knowing
 * whose code threw, that next node took the blame (and failed), or the error went unsaid.
 *
 * Every task call in a worker runs inside its node's context (nodeContextStorage, which
 * `nodeRandom()` reads too), and callbacks the call starts inherit it. A monitor sees the
 * exception before the thread dies and writes the node's name on it; the error reaches the
 * main thread (Piscina's rejection, the pool's `error` event, a cluster worker's report) with
 * that name as an own property.
 */
import { nodeContextStorage } from '../plugins/node-context.js';
import type { SerializedThrow } from './serialized-error.js';

/** The own property a worker writes on an uncaught error: the name of the node it came from. */
const leftByKey = 'functionfuseLeftBy';

/**
 * Worker side, once per thread: names the node whose code threw each uncaught exception. The
 * thread still dies of it, as Node has it die: its state may be broken.
 */
export function nameUncaughtErrorsByNode(): void {
  process.on('uncaughtExceptionMonitor', (error) => {
    const nodeName = nodeContextStorage.getStore()?.nodeName;
    if (nodeName === undefined || typeof error !== 'object' || error === null) return;
    try {
      Object.defineProperty(error, leftByKey, { value: nodeName, enumerable: true, configurable: true });
    } catch {
      // A frozen error travels unnamed: the main thread says what it knew before.
    }
  });
}

/**
 * Main side: the node whose code threw `error` that killed a worker (undefined: not known).
 * Takes the name off the error, so that the error the user sees carries only its own fields.
 */
export function takeLeftBy(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  const nodeName = record[leftByKey];
  if (typeof nodeName !== 'string') return undefined;
  delete record[leftByKey];
  return nodeName;
}

/** {@link takeLeftBy} for an error still in its serialized form (a cluster worker's report). */
export function leftByInReport(error: SerializedThrow): string | undefined {
  const nodeName = error.kind === 'error' ? error.properties[leftByKey] : undefined;
  return typeof nodeName === 'string' ? nodeName : undefined;
}

/**
 * Says that node `culprit`, already finished, left behind code whose exception ended a worker
 * thread; `interrupted` are the nodes that thread was running, which go again (none: it was
 * idle).
 */
export function warnLeftBehind(culprit: string, error: unknown, interrupted: readonly string[]): void {
  process.emitWarning(
    `Node "${culprit}" left behind code that threw after the node had returned (a timer, event listener or ` +
      `promise it started, which nothing caught): ${describeThrown(error)}. It ended its worker thread ` +
      `${describeInterrupted(interrupted)}; the thread was replaced. Catch errors in what a task starts, or await ` +
      'it before returning.',
    { type: 'FunctionFuseWarning', code: 'FUNCTIONFUSE_LEFT_BEHIND_ERROR' },
  );
}

function describeInterrupted(interrupted: readonly string[]): string {
  if (interrupted.length === 0) return 'between nodes';
  if (interrupted.length === 1) return `while it ran node "${interrupted[0]}", which goes again`;
  const shown = interrupted.slice(0, 3).map((name) => `"${name}"`);
  const more = interrupted.length > 3 ? ` and ${interrupted.length - 3} more` : '';
  return `while it ran ${interrupted.length} nodes (${shown.join(', ')}${more}), which go again`;
}

function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
