import { WorkerDiedError } from '../errors.js';

/**
 * Turns the error with which Piscina rejects a task whose worker stopped into an error that
 * says which node was running and how its worker died.
 */
export function workerFailure(nodeName: string, error: unknown): WorkerDiedError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const exited = /^worker exited with code: (-?\d+)/.exec(message);
  if (exited !== null) {
    return new WorkerDiedError(
      `The worker thread running node "${nodeName}" exited with code ${exited[1]} (process.exit() in the task?)`,
      { cause: error },
    );
  }
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new WorkerDiedError(
      `The worker thread running node "${nodeName}" ran out of memory (its resourceLimits): ${message}`,
      { cause: error },
    );
  }
  return new WorkerDiedError(
    `The worker thread running node "${nodeName}" crashed on an uncaught exception: ${message}`,
    { cause: error },
  );
}
