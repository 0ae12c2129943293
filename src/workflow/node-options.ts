import { describeValue } from '../errors.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';

/**
 * The most `retries` a node may have. Attempts are counted in 16 bits on threads, and a node
 * that fails 10,000 times will not succeed on the next try: more is a mistake, not a policy.
 */
export const maxRetries = 10_000;

/**
 * The longest delay Node's timers can wait (2^31 − 1 ms, about 24.8 days). A longer `timeout` or
 * `retryDelay` would fire after 1 ms instead (Node's TimeoutOverflowWarning).
 */
export const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * Per-node execution options, set with `workflow.query(pattern).setOptions(options)`.
 * Options set by several calls merge; a later call wins per option.
 */
export interface NodeOptions {
  /**
   * Among nodes that are ready at the same moment, a higher priority is dispatched first
   * (on ThreadWorkflow; LocalWorkflow runs in canonical order). Ties keep canonical order.
   * @default 0
   */
  readonly priority?: number;
  /**
   * How many times a failing task node is run again before its failure counts, at most
   * 10,000. Stateful (actor) nodes are never retried: a half-done call may
   * have changed the object.
   * @default 0
   */
  readonly retries?: number;
  /** Milliseconds to wait before each retry, at most 2^31 − 1 (Node's longest timer). @default 0 */
  readonly retryDelay?: number;
  /**
   * Milliseconds a node may run before it is stopped and fails with a NodeTimeoutError. On
   * ThreadWorkflow its worker thread is terminated (and replaced); on LocalWorkflow only async
   * nodes can time out, and their promise is abandoned, not stopped. At most 2^31 − 1 (Node's
   * longest timer).
   * @default no limit
   */
  readonly timeout?: number;
  /**
   * Place the node's typed arrays, DataViews and ArrayBuffers (anywhere in its result: top
   * level, in arrays, plain objects, Maps and Sets) in SharedArrayBuffer memory once, in the
   * worker that computed it, so that every consumer on every thread reads that same memory
   * instead of a copy of its own.
   *
   * The contract: consumers of a shared result must not write to it. A consumer that writes
   * changes it for every other consumer, for the leaf run() returns, and for a retry of its
   * own. (Without the option, every consumer but the last gets a copy on ThreadWorkflow.)
   *
   * On LocalWorkflow it changes nothing: every consumer already gets the very object the node
   * returned. On BullMQWorkflow it is accepted and ignored: results cross processes as bytes,
   * and each consumer decodes its own. A result the node already returns in SharedArrayBuffer
   * memory is never copied, with or without the option.
   *
   * On ThreadWorkflow, while the node's task runs, a typed array of 64 MiB or more that it asks
   * for by length (`new Float64Array(n)`, `Float64Array.from`, `.of`) is made in shared memory
   * from the start, so such a result is not copied at all: the global typed array constructors
   * are stand-ins meanwhile (a large array's `buffer` is a SharedArrayBuffer, and
   * `values.constructor === Float64Array` is false inside the task). An array made over an
   * ArrayBuffer stays in ordinary memory and is copied.
   *
   * @example
   * wf.query('load_.*').setOptions({ shareResult: true }); // 8 readers, one copy of the data
   * @default false
   */
  readonly shareResult?: boolean;
}

/** Node options with every default filled in. */
export interface ResolvedNodeOptions {
  readonly priority: number;
  readonly retries: number;
  readonly retryDelay: number;
  readonly timeout: number | undefined;
  readonly shareResult: boolean;
}

export const defaultNodeOptions: ResolvedNodeOptions = {
  priority: 0,
  retries: 0,
  retryDelay: 0,
  timeout: undefined,
  shareResult: false,
};

/** Fills in the defaults of options set through queries. */
export function resolveNodeOptions(options: NodeOptions | undefined): ResolvedNodeOptions {
  if (options === undefined) return defaultNodeOptions;
  return {
    priority: options.priority ?? 0,
    retries: options.retries ?? 0,
    retryDelay: options.retryDelay ?? 0,
    timeout: options.timeout,
    shareResult: options.shareResult ?? false,
  };
}

const knownOptions = ['priority', 'retries', 'retryDelay', 'timeout', 'shareResult'];
const timerLimit = `${maxTimerDelayMs} (2^31 − 1, the longest delay Node's timers can wait)`;

/** Checks options given to `setOptions`; throws a TypeError naming the bad option and value. */
export function validateNodeOptions(options: NodeOptions): NodeOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Expected node options to be an object, got ${describeValue(options)}`);
  }
  refuseUnknownKeys(options, knownOptions, 'node option');
  const { priority, retries, retryDelay, timeout, shareResult } = options;
  if (priority !== undefined && !Number.isFinite(priority)) {
    throw new TypeError(`Expected \`priority\` to be a finite number, got ${describeValue(priority)}`);
  }
  if (retries !== undefined && !(Number.isSafeInteger(retries) && retries >= 0 && retries <= maxRetries)) {
    throw new TypeError(
      `Expected \`retries\` to be an integer from 0 to ${maxRetries}, got ${describeValue(retries)}`,
    );
  }
  if (
    retryDelay !== undefined &&
    !(typeof retryDelay === 'number' && retryDelay >= 0 && retryDelay <= maxTimerDelayMs)
  ) {
    throw new TypeError(
      `Expected \`retryDelay\` to be a number of milliseconds from 0 to ${timerLimit}, got ${describeValue(retryDelay)}`,
    );
  }
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && timeout <= maxTimerDelayMs)) {
    throw new TypeError(
      `Expected \`timeout\` to be a number of milliseconds above 0, at most ${timerLimit}, got ${describeValue(timeout)}`,
    );
  }
  if (shareResult !== undefined && typeof shareResult !== 'boolean') {
    throw new TypeError(`Expected \`shareResult\` to be a boolean, got ${describeValue(shareResult)}`);
  }
  return { ...options };
}
