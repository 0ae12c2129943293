#!/usr/bin/env node
/**
 * The `functionfuse` executable (package.json "bin"). Only sets the exit code: the process
 * ends by itself once output is flushed and worker threads are closed, so nothing written to
 * a pipe is lost to an early `process.exit`.
 */
import { ExitCode } from './cli-errors.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
// After Ctrl-C, a node's own timers or sockets may still hold the process (a cancelled node
// on the main thread cannot be stopped, only abandoned): end it, as the user asked, once
// stderr has flushed (writes to pipes are asynchronous on some systems). No result is lost:
// a cancelled run prints none.
if (process.exitCode === ExitCode.interrupted) process.stderr.write('', () => process.exit());
