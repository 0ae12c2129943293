/**
 * The parent side of `functionfuse run`. Nothing interrupts synchronous code in a main thread
 * and no JavaScript signal handler runs while it is blocked, so a node looping on
 * `--backend local` would make Ctrl-C do nothing. The executable therefore runs the command in
 * a child process (run-child.ts) and stays free itself: the first Ctrl-C or SIGTERM is relayed
 * to the child, which cancels the run and still writes its trace and report; a second kills the
 * child and exits at once.
 */
import { fork } from 'node:child_process';
import { constants } from 'node:os';
import { ExitCode } from './cli-errors.js';
import { type InterruptSignal, interruptSignals, type SupervisorMessage } from './interrupts.js';

/** How long a child killed with SIGKILL may take to be gone before the parent exits anyway. */
const killGraceMs = 2_000;

/**
 * What {@link superviseRun} ends with: the exit code, and whether the parent must exit at
 * once (a second interrupt: the child was killed, nothing else is worth waiting for).
 *
 * @example
 * const { exitCode, immediate } = await superviseRun(['run', 'pipeline.ts']);
 */
export interface SupervisedOutcome {
  readonly exitCode: number;
  readonly immediate: boolean;
}

/**
 * Runs `functionfuse ...argv` (a `run` command) in a child process sharing this process's
 * stdin, stdout and stderr (so a terminal stays a terminal), relays interrupts to it, and
 * resolves to the child's exit code once it has exited.
 *
 * @example
 * const { exitCode } = await superviseRun(process.argv.slice(2));
 * process.exitCode = exitCode;
 */
export function superviseRun(argv: readonly string[]): Promise<SupervisedOutcome> {
  const child = fork(new URL('./run-child.js', import.meta.url), [...argv], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    execArgv: process.execArgv,
  });
  let first: InterruptSignal | undefined;
  let stoppedBy: InterruptSignal | undefined;

  const onSignal = (signal: InterruptSignal) => {
    if (first === undefined) {
      first = signal;
      const announce = () =>
        process.stderr.write(
          `functionfuse: Cancelling the run (${signal}): running nodes are stopped, the trace and report still written. ` +
            'Interrupt again (Ctrl-C) to stop at once.\n',
        );
      // Said once the child has the message in its channel, so that nothing it does after this
      // line (a blocked node returning) can finish the run before the interrupt reaches it.
      // A child that exited in between has nothing left to cancel.
      if (child.connected) child.send({ type: 'interrupt', signal } satisfies SupervisorMessage, announce);
      else announce();
      return;
    }
    if (stoppedBy !== undefined) return;
    stoppedBy = signal;
    process.stderr.write(
      `functionfuse: Stopped at once (${signal} again): the run was killed; its trace and report were not written.\n`,
    );
    child.kill('SIGKILL');
    // A child stuck in the kernel may outlive SIGKILL for a moment; the user asked to stop now.
    setTimeout(() => process.exit(exitCodeOfSignal(signal)), killGraceMs).unref();
  };
  const handlers = interruptSignals.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);

  return new Promise((resolve) => {
    const finish = (outcome: SupervisedOutcome) => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolve(outcome);
    };
    child.on('error', (error) => {
      process.stderr.write(`functionfuse: Could not start the run in a child process: ${error.message}\n`);
      if (child.pid === undefined) finish({ exitCode: ExitCode.failed, immediate: false });
    });
    child.on('exit', (code, signal) => {
      if (stoppedBy !== undefined) finish({ exitCode: exitCodeOfSignal(stoppedBy), immediate: true });
      else if (code !== null) finish({ exitCode: code, immediate: false });
      else {
        process.stderr.write(`${killedBySignal(signal)}\n`);
        finish({ exitCode: 128 + (constants.signals[signal as NodeJS.Signals] ?? 0), immediate: false });
      }
    });
  });
}

/**
 * What the parent says when something else killed the run's process (the kernel's
 * out-of-memory killer, `kill -9`, a crash), which could say nothing itself.
 */
function killedBySignal(signal: NodeJS.Signals | null): string {
  const why = signal === 'SIGKILL' ? " (the system's out-of-memory killer, or kill -9?)" : '';
  return (
    `functionfuse: The run's process was killed by ${signal ?? 'a signal'}${why}: the run did not finish, and its ` +
    'trace and report were not written. What it had saved to storage is kept: run again with the same ' +
    '--storage to resume.'
  );
}

/** 128 + the signal's number, as shells report a process ended by it: 130, 143. */
export function exitCodeOfSignal(signal: InterruptSignal): number {
  return signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
}
