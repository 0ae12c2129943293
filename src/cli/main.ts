#!/usr/bin/env node
/**
 * The `functionfuse` executable (package.json "bin"). `run` is supervised from this process
 * (run-supervisor.ts), so Ctrl-C ends it even while a node blocks the thread running the
 * pipeline; the other commands run here. Only sets the exit code: the process ends by itself
 * once output is flushed and worker threads are closed, so nothing written to a pipe is lost to
 * an early `process.exit`.
 */
const argv = process.argv.slice(2);
const command = argv.find((argument) => !argument.startsWith('-'));

if (command === 'run') {
  // Imported on demand: the supervising parent loads no pipeline, workflow or thread code.
  const { superviseRun } = await import('./run-supervisor.js');
  const { exitCode, immediate } = await superviseRun(argv);
  process.exitCode = exitCode;
  if (immediate) process.stderr.write('', () => process.exit());
} else {
  const { endQuietlyWhenOutputCloses } = await import('./cli-streams.js');
  endQuietlyWhenOutputCloses();
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(argv);
  // A worker that has closed is done, but BullMQ may keep retry timers of a connection it left
  // reconnecting, and with them the process, when Redis came back just before the stop
  // (taskforcesh/bullmq#4656): the process ends once its output is flushed.
  if (command === 'worker') process.stderr.write('', () => process.exit());
}
