/**
 * The child process of `functionfuse run` (started by run-supervisor.ts): runs the command,
 * hearing interrupts from its parent, and ends like the executable does.
 */
import { ExitCode } from './cli-errors.js';
import { endQuietlyWhenOutputCloses, processStreams } from './cli-streams.js';
import { supervisedInterrupts } from './interrupts.js';
import { runCli } from './program.js';

// First, so an interrupt during the import of the pipeline module is kept for the run.
const interrupts = supervisedInterrupts();
endQuietlyWhenOutputCloses();
process.exitCode = await runCli(process.argv.slice(2), processStreams(), { interrupts });
// After a cancellation a node's own timers or sockets may still hold the process (a cancelled
// node on the main thread cannot be stopped, only abandoned): end it once stderr has flushed.
// No result is lost: a cancelled run prints none.
if (process.exitCode === ExitCode.interrupted || process.exitCode === ExitCode.terminated) {
  process.stderr.write('', () => process.exit());
}
