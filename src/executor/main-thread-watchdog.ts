/**
 * Says, while it happens, that a synchronous node has run past its timeout in the main thread.
 * Nothing can stop synchronous code in the main thread, and no timer of the main thread fires
 * while it runs, so the word comes from a small watchdog thread of its own: it is armed before
 * such a node is called and disarmed when the call returns, and it writes straight to the
 * process's stderr (file descriptor 2), which needs nothing of the blocked main thread.
 */
import { Worker } from 'node:worker_threads';

/** Messages from the main thread to the watchdog. */
type WatchdogMessage =
  | { readonly kind: 'arm'; readonly id: number; readonly timeoutMs: number; readonly warning: string }
  | { readonly kind: 'disarm'; readonly id: number };

// CommonJS evaluated in the worker: no file to ship or resolve, nothing imported but Node's own.
const watchdogSource = `
const { parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
let armed;
parentPort.on('message', (message) => {
  if (armed !== undefined) clearTimeout(armed.timer);
  armed = undefined;
  if (message.kind !== 'arm') return;
  const timer = setTimeout(() => {
    try { writeSync(2, message.warning); } catch {}
  }, message.timeoutMs);
  armed = { id: message.id, timer };
});
`;

/**
 * One watchdog thread for one run of LocalWorkflow, started the first time a node with a
 * `timeout` is called, and ended with the run. It never keeps the process alive.
 *
 * @example
 * const watchdog = new MainThreadWatchdog();
 * const id = watchdog.arm('spin', 1000);
 * try { callSpin(); } finally { watchdog.disarm(id); }
 * await watchdog.close();
 */
export class MainThreadWatchdog {
  #worker: Worker | undefined;
  #nextId = 0;

  /** Starts watching a call of `nodeName` that should end within `timeoutMs`. */
  arm(nodeName: string, timeoutMs: number): number {
    const id = ++this.#nextId;
    this.#post({ kind: 'arm', id, timeoutMs, warning: overrunWarning(nodeName, timeoutMs) });
    return id;
  }

  /** The call armed as `id` returned. */
  disarm(id: number): void {
    this.#post({ kind: 'disarm', id });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #post(message: WatchdogMessage): void {
    if (this.#worker === undefined) {
      this.#worker = new Worker(watchdogSource, { eval: true, stdout: false, stderr: false });
      this.#worker.unref();
      // A watchdog that cannot run must not fail the run it watches: it only says less.
      this.#worker.on('error', () => {});
    }
    this.#worker.postMessage(message);
  }
}

/** What the watchdog writes when a synchronous node overruns its timeout in the main thread. */
export function overrunWarning(nodeName: string, timeoutMs: number): string {
  return (
    `functionfuse: node "${nodeName}" has run past its timeout of ${timeoutMs} ms in the main thread ` +
    '(LocalWorkflow), where synchronous code cannot be stopped; it fails with NodeTimeoutError ' +
    'when it returns. Run it on ThreadWorkflow to have it stopped at its timeout.\n'
  );
}
