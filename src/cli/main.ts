#!/usr/bin/env node
/**
 * The `functionfuse` executable (package.json "bin"). `run` is supervised from this process
 * (run-supervisor.ts), so Ctrl-C ends it even while a node blocks the thread running the
 * pipeline; the other commands run here. Only sets the exit code: the process ends by itself
 * once output is flushed and worker threads are closed, so nothing written to a pipe is lost to
 * an early `process.exit`.
 */
const argv = process.argv.slice(2);

if (argv.find((argument) => !argument.startsWith('-')) === 'run') {
  // Imported on demand: the supervising parent loads no pipeline, workflow or thread code.
  const { superviseRun } = await import('./run-supervisor.js');
  const { exitCode, immediate } = await superviseRun(argv);
  process.exitCode = exitCode;
  if (immediate) process.stderr.write('', () => process.exit());
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(argv);
}
