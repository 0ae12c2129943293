/**
 * Main-thread driver: one attempt of a node on the full path (the synchronous fast path calls
 * its tasks itself): the call, inside its plugin if it has one, and watched if it has a
 * `timeout`. The synchronous part of a call cannot be stopped in the main thread: the run's
 * watchdog thread says so on stderr while it overruns, and a synchronous node that returns late
 * fails as a timeout, as it would on every other backend. An async node's promise is timed by
 * the driver, with withDeadline (executor/deadline.ts).
 */
import { callCallable, callWithPlugin } from '../executor/call-node.js';
import { overrunError } from '../executor/deadline.js';
import { MainThreadWatchdog } from '../executor/main-thread-watchdog.js';
import type { Node } from '../graph/node.js';
import type { PreparedPlugin } from '../plugins/plugin.js';
import { isThenable } from '../util/thenable.js';

/** What a node is called with. */
export interface NodeInputs {
  readonly args: readonly unknown[];
  /** The actor object, for a method call. */
  readonly instance: unknown;
}

export class MainThreadAttempts {
  /** Started the first time a node with a timeout is called, ended with the run. */
  readonly #watchdog = new MainThreadWatchdog();

  /**
   * Calls `node` with `inputs` (through its plugin, `prepared`, if it has one): returns what it
   * returned, a promise for an async node; throws what it threw, or the overrun error when it
   * returned a value (not a promise) after `timeoutMs`.
   *
   * @example
   * value = attempts.call(node, inputs, run.plugins[index], timeout);
   */
  call(
    node: Node,
    inputs: NodeInputs,
    prepared: PreparedPlugin | undefined,
    timeoutMs: number | undefined,
  ): unknown {
    const { callable } = node;
    const { args, instance } = inputs;
    const attempt = (): unknown =>
      prepared === undefined
        ? callCallable(callable, args, instance)
        : callWithPlugin(node.name, prepared, () => callCallable(callable, args, instance));
    return timeoutMs === undefined ? attempt() : this.#watched(node.name, timeoutMs, attempt);
  }

  /**
   * Ends the watchdog thread, if one was started (the run is over).
   *
   * @example
   * await attempts.close();
   */
  close(): Promise<void> {
    return this.#watchdog.close();
  }

  #watched(nodeName: string, timeoutMs: number, attempt: () => unknown): unknown {
    const startedAt = performance.now();
    const watch = this.#watchdog.arm(nodeName, timeoutMs);
    let value: unknown;
    try {
      value = attempt();
    } finally {
      this.#watchdog.disarm(watch);
    }
    const ranMs = performance.now() - startedAt;
    if (!isThenable(value) && ranMs > timeoutMs) throw overrunError(nodeName, timeoutMs, ranMs);
    return value;
  }
}
