/**
 * Every error functionfuse throws on purpose is one of these classes (or a built-in
 * `TypeError` / `RangeError` for a bad argument), so callers can branch with `instanceof`.
 * Each has a fixed `name`, so the class survives a trip through logs and worker threads.
 */

/**
 * Base class of functionfuse's own errors.
 *
 * @example
 * try { await wf.run(); } catch (error) { if (error instanceof FunctionFuseError) ... }
 */
export class FunctionFuseError extends Error {
  override name = 'FunctionFuseError';
}

/**
 * A node's function threw (or its promise rejected). `message` names the node, `cause` is the
 * original error, untouched.
 *
 * @example
 * catch (error) { if (error instanceof NodeExecutionError) console.log(error.nodeName, error.cause); }
 */
export class NodeExecutionError extends FunctionFuseError {
  override name = 'NodeExecutionError';
  readonly nodeName: string;
  /** How many times the node ran (more than 1 when it was retried). */
  readonly attempts: number;

  constructor(nodeName: string, cause: unknown, attempts = 1) {
    const after = attempts > 1 ? ` after ${attempts} attempts` : '';
    super(`Node "${nodeName}" failed${after}: ${describeCause(cause)}`, { cause });
    this.nodeName = nodeName;
    this.attempts = attempts;
  }
}

/**
 * With `run({ failFast: false })`, the run went on after failures and then rejected with this:
 * every failed node's error, and the names of the nodes that could not run because they depend
 * on a failed node (skipped, not failed).
 *
 * @example
 * catch (error) { if (error instanceof WorkflowFailedError) console.log(error.failed, error.skipped); }
 */
export class WorkflowFailedError extends AggregateError {
  override name = 'WorkflowFailedError';
  declare readonly errors: NodeExecutionError[];
  /** Names of the nodes that failed, in canonical order. */
  readonly failed: readonly string[];
  /** Names of the nodes not run because an ancestor failed, in canonical order. */
  readonly skipped: readonly string[];

  constructor(workflowName: string, errors: NodeExecutionError[], skipped: readonly string[]) {
    const failed = errors.map((error) => error.nodeName);
    super(
      errors,
      `Workflow "${workflowName}": ${failed.length} node${failed.length === 1 ? '' : 's'} failed ` +
        `(${failed.map((name) => `"${name}"`).join(', ')}), ${skipped.length} skipped`,
    );
    this.failed = failed;
    this.skipped = skipped;
  }
}

/**
 * A node ran longer than its `timeout` option: stopped (its worker thread ended), or, in the main
 * thread (LocalWorkflow), abandoned; the message says which.
 */
export class NodeTimeoutError extends FunctionFuseError {
  override name = 'NodeTimeoutError';
}

/**
 * The run was cancelled through its `signal`. Its `name` is `'AbortError'`, as for the
 * platform's own cancellations; `cause` is the signal's reason.
 */
export class AbortError extends FunctionFuseError {
  override name = 'AbortError';
}

/**
 * `close()` was called on a workflow while one of its runs was under way: the run was stopped
 * (its nodes' threads ended) and `run()` rejects with this. `cause` is how the run ended.
 *
 * @example
 * // Handled at once: the run rejects before close() resolves, and an unhandled rejection
 * // would end the process.
 * const running = wf.run().catch((error: unknown) => error);
 * await wf.close();
 * console.log(await running); // WorkflowClosedError: Workflow "demo" was closed while running ...
 */
export class WorkflowClosedError extends FunctionFuseError {
  override name = 'WorkflowClosedError';
}

/**
 * Two nodes of one workflow share a name. Names are storage keys and query targets, so a
 * duplicate would make one node silently overwrite or shadow the other; we refuse it before
 * anything runs.
 */
export class DuplicateNodeNameError extends FunctionFuseError {
  override name = 'DuplicateNodeNameError';
  readonly nodeName: string;

  constructor(nodeName: string, first: string, second: string) {
    super(
      `Two nodes of the workflow are named "${nodeName}": ${first} and ${second}. ` +
        'Give one of them another name with setName().',
    );
    this.nodeName = nodeName;
  }
}

/**
 * A task or actor that a worker thread must load could not be found there.
 */
export class TaskNotFoundError extends FunctionFuseError {
  override name = 'TaskNotFoundError';
}

/**
 * A module imported by a worker started a workflow. Workers import the module that defines a
 * task; if that module also builds and runs a workflow at its top level, every worker would
 * start the pipeline again.
 */
export class WorkflowInWorkerError extends FunctionFuseError {
  override name = 'WorkflowInWorkerError';
}

/**
 * An internal invariant broke. This is a bug in functionfuse, never in the user's code.
 */
export class InternalError extends FunctionFuseError {
  override name = 'InternalError';

  constructor(message: string) {
    super(`${message} (this is a bug in functionfuse; please report it)`);
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return `threw a non-Error value: ${describeValue(cause)}`;
}

/**
 * A short, printable description of any value for error messages: its type and, for
 * primitives, the value itself (`0 (number)`, `"abc" (string)`, `an instance of Foo`).
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string':
      return `${JSON.stringify(value)} (string)`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${String(value)} (${typeof value})`;
    case 'symbol':
      return `${String(value)} (symbol)`;
    case 'function':
      return `a function ${value.name || '(anonymous)'}`;
    default: {
      if (Array.isArray(value)) return `an array of length ${value.length}`;
      const constructorName = (value as object).constructor?.name;
      return constructorName && constructorName !== 'Object'
        ? `an instance of ${constructorName}`
        : 'an object';
    }
  }
}

/**
 * A value that must cross a thread boundary (a node's result or argument) holds something
 * structured cloning cannot carry faithfully: a function, a symbol, a class instance whose
 * methods would be lost. The message says where it sits.
 */
export class UncloneableValueError extends FunctionFuseError {
  override name = 'UncloneableValueError';
}

/**
 * A node's plugin cannot be sent to the worker thread that runs the node: its class is not
 * registered with `pluginClass()`, or one of its fields is a function that is not a task, or
 * data that cannot be cloned. Raised before anything runs.
 */
export class UnsendablePluginError extends FunctionFuseError {
  override name = 'UnsendablePluginError';
}

/**
 * The worker thread running a node or an actor stopped before the node finished: it exited
 * (`process.exit()` in the task), crashed on an uncaught exception, or ran out of memory.
 */
export class WorkerDiedError extends FunctionFuseError {
  override name = 'WorkerDiedError';
}

/**
 * BullMQWorkflow or a cluster worker could not reach its Redis server, or lost it for longer
 * than it waits: the message names the server's URL. Nothing hangs on a Redis that is gone.
 *
 * @example
 * await new BullMQWorkflow(leaves, { workflowName: 'w', connection: 'redis://127.0.0.1:1' }).run();
 * // RedisConnectionError: Could not reach Redis at redis://127.0.0.1:1 ...
 */
export class RedisConnectionError extends FunctionFuseError {
  override name = 'RedisConnectionError';
}

/**
 * A cluster worker's copy of a task module differs from the coordinator's (their contents hash
 * differently): the worker runs other code than the coordinator, so the node is not run there.
 */
export class WorkerCodeMismatchError extends FunctionFuseError {
  override name = 'WorkerCodeMismatchError';
}
