/**
 * How the command line ends: its exit codes, the error that means "the command was used
 * wrongly", and the one line printed for any error.
 */
import {
  AbortError,
  NodeExecutionError,
  TaskNotFoundError,
  WorkerCodeMismatchError,
  WorkflowFailedError,
} from '../errors.js';

/**
 * The exit codes of `functionfuse`, so scripts can tell a broken pipeline from a mistyped
 * command.
 *
 * @example
 * process.exitCode = ExitCode.usage;
 */
export const ExitCode = Object.freeze({
  /** Everything ran. */
  ok: 0,
  /** A node failed, or the pipeline could not be built or its outputs written. */
  failed: 1,
  /** The command line was wrong: unknown option, bad value, missing or unusable file. */
  usage: 2,
  /** The run was cancelled with Ctrl-C (SIGINT), as shells report a process ended by it. */
  interrupted: 130,
  /** The run was cancelled with SIGTERM, as shells report a process ended by it. */
  terminated: 143,
});

/**
 * The command was used wrongly. Its message is one sentence that says what to change; the
 * CLI prints it and exits with {@link ExitCode.usage}.
 *
 * @example
 * throw new UsageError('Expected --out to end in .svg, .dot or .mmd, got "graph.png"');
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The command looked for something that is not there (a workflow `ls` was asked about). Not a
 * usage error: the command line was right, the storage holds something else. Exits with
 * {@link ExitCode.failed}.
 *
 * @example
 * throw new NotFoundError('No workflow "nowf" is stored in ./store (it holds: demo).');
 */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/**
 * A run stopped by Ctrl-C or SIGTERM. Its results are not printed, even when every node had
 * finished by the time the cancellation was seen: output that looks complete must be complete.
 * Exits with {@link ExitCode.interrupted} (SIGINT) or {@link ExitCode.terminated} (SIGTERM).
 *
 * @example
 * throw new RunInterruptedError('demo', 'SIGINT');
 */
export class RunInterruptedError extends Error {
  override name = 'RunInterruptedError';
  readonly workflowName: string;
  readonly signal: 'SIGINT' | 'SIGTERM';

  constructor(workflowName: string, signal: 'SIGINT' | 'SIGTERM', options?: ErrorOptions) {
    super(`Workflow "${workflowName}" was cancelled (${signal}): its results are not printed.`, options);
    this.workflowName = workflowName;
    this.signal = signal;
  }
}

/**
 * The single line printed on stderr for an error: what went wrong and what to do. Node
 * failures name the node; the stack trace (and every `cause`) follows only with `verbose`.
 *
 * @example
 * formatError(new UsageError('No pipeline module at ./x.ts'), false);
 * // 'functionfuse: No pipeline module at ./x.ts'
 */
export function formatError(error: unknown, verbose: boolean): string {
  const line = `functionfuse: ${describeError(error)}`;
  if (!verbose) return line;
  return [line, ...stackLines(error)].join('\n');
}

/**
 * The exit code an error ends the command with: {@link ExitCode.usage} for a UsageError,
 * {@link ExitCode.interrupted} or {@link ExitCode.terminated} for a run cancelled by Ctrl-C
 * or SIGTERM, {@link ExitCode.failed} for anything else.
 *
 * @example
 * exitCodeOf(new UsageError('bad option'));  // 2
 * exitCodeOf(new NodeExecutionError('train', new Error('diverged')));  // 1
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.usage;
  if (error instanceof RunInterruptedError) {
    return error.signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
  }
  return error instanceof AbortError ? ExitCode.interrupted : ExitCode.failed;
}

function describeError(error: unknown): string {
  if (error instanceof UsageError || error instanceof NotFoundError || error instanceof RunInterruptedError) {
    return firstLine(error.message);
  }
  if (error instanceof NodeExecutionError) {
    // These say what to fix, and it is not the node's function: where its code is found.
    const placed = error.cause instanceof TaskNotFoundError || error.cause instanceof WorkerCodeMismatchError;
    const fix = placed ? '' : " Fix the node's function and run again";
    return `${sentence(error.message)}${fix} (--verbose shows the stack).`;
  }
  if (error instanceof AbortError) return sentence(error.message);
  if (error instanceof WorkflowFailedError) {
    const first = error.errors[0];
    const detail = first === undefined ? '' : ` First: ${sentence(first.message)}`;
    return `${sentence(error.message)}${detail} (--verbose shows the stacks).`;
  }
  if (error instanceof Error)
    return `${sentence(`${error.name}: ${error.message}`)} (--verbose shows the stack).`;
  return `The pipeline threw a non-Error value: ${firstLine(String(error))}`;
}

/** One line ending in a full stop: messages can quote user text with line breaks. */
function sentence(text: string): string {
  const line = firstLine(text).trimEnd();
  return /[.!?…]$/.test(line) ? line : `${line}.`;
}

function firstLine(text: string): string {
  const lines = text.split(/\r?\n/);
  return lines.length === 1 ? text : `${lines[0]} …`;
}

function stackLines(error: unknown): string[] {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  // Follow the cause chain: a NodeExecutionError's own stack is the scheduler's, the user's
  // bug is in its cause.
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    lines.push(seen.size === 1 ? (current.stack ?? String(current)) : `Caused by: ${current.stack}`);
    if (current instanceof AggregateError) {
      for (const inner of current.errors) lines.push(...stackLines(inner).map((line) => `  ${line}`));
    }
    current = current.cause;
  }
  return lines;
}
