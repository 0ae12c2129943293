import { NodeTimeoutError } from '../errors.js';

/**
 * Settles like `work`, unless `timeoutMs` passes first (rejects with a NodeTimeoutError naming
 * the node, which says it was abandoned) or `signal` fires (rejects with its reason). The work
 * itself is not stopped: in the main thread nothing can stop a promise.
 */
export function withDeadline<T>(
  work: Promise<T>,
  nodeName: string,
  timeoutMs: number | undefined,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (timeoutMs === undefined && signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            reject(abandonedError(nodeName, timeoutMs));
          }, timeoutMs);
    const onAbort = (): void => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}

export function timeoutError(nodeName: string, timeoutMs: number): NodeTimeoutError {
  return new NodeTimeoutError(`Node "${nodeName}" timed out after ${timeoutMs} ms and was stopped`);
}

/**
 * The timeout of a node whose promise the main thread stops awaiting (LocalWorkflow): unlike a
 * worker's, its work is not stopped, and the message must not say it was.
 */
export function abandonedError(nodeName: string, timeoutMs: number): NodeTimeoutError {
  return new NodeTimeoutError(
    `Node "${nodeName}" timed out after ${timeoutMs} ms and was abandoned: it ran in the main thread ` +
      '(LocalWorkflow), where nothing can stop it, so what it started goes on and its result is not used; ' +
      'run it on ThreadWorkflow to have it stopped at its timeout.',
  );
}

/** Waits `ms`, or rejects with the signal's reason when it fires first. */
export function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return withDeadline(new Promise<void>((resolve) => setTimeout(resolve, ms)), '', undefined, signal);
}

/**
 * The failure of a synchronous node that returned after its timeout in the main thread, where it
 * could not be stopped. Its result is not used: a timeout means the same on every backend.
 */
export function overrunError(nodeName: string, timeoutMs: number, ranMs: number): NodeTimeoutError {
  return new NodeTimeoutError(
    `Node "${nodeName}" timed out: it ran for ${Math.round(ranMs)} ms, past its timeout of ${timeoutMs} ms. ` +
      'It is synchronous and ran in the main thread (LocalWorkflow), where it cannot be stopped, ' +
      'so it failed when it returned; run it on ThreadWorkflow to have it stopped at its timeout.',
  );
}
