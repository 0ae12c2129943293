import { describeValue } from '../errors.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';

/** Options of `run()`. */
export interface RunOptions {
  /**
   * With `true`, the first failure stops the run: nothing new starts, nodes under way finish,
   * and `run()` rejects with that node's NodeExecutionError. With `false`, every branch that
   * does not depend on a failed node runs to the end, and `run()` rejects with a
   * WorkflowFailedError listing the failed and the skipped nodes.
   * @default true
   */
  readonly failFast?: boolean;
  /**
   * Cancels the run: no node starts after it fires, running nodes are stopped (on threads their
   * workers are terminated and replaced), and `run()` rejects with an AbortError.
   */
  readonly signal?: AbortSignal;
}

export interface ResolvedRunOptions {
  readonly failFast: boolean;
  readonly signal: AbortSignal | undefined;
}

const runOptionNames = ['failFast', 'signal'];

/** Checks the options given to `run()`; throws a TypeError naming the bad option and value. */
export function resolveRunOptions(options: RunOptions | undefined): ResolvedRunOptions {
  if (options === undefined) return { failFast: true, signal: undefined };
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Expected run options to be an object, got ${describeValue(options)}`);
  }
  refuseUnknownKeys(options, runOptionNames, 'run option');
  const { failFast = true, signal } = options;
  if (typeof failFast !== 'boolean') {
    throw new TypeError(`Expected \`failFast\` to be a boolean, got ${describeValue(failFast)}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`Expected \`signal\` to be an AbortSignal, got ${describeValue(signal)}`);
  }
  return { failFast, signal };
}
