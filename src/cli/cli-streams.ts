/**
 * Where the commands write: results on stdout, everything for people (progress, errors) on
 * stderr, so `functionfuse run p.ts > result.json` captures only the result.
 */

/**
 * The two output streams of the CLI; tests and embedders can pass their own.
 *
 * @example
 * const streams: CliStreams = { stdout: process.stdout, stderr: process.stderr };
 */
export interface CliStreams {
  /** Results; a terminal (`isTTY`) gets them summarised, a file or a pipe in full. */
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
}

/**
 * The process's own streams.
 *
 * @example
 * await runCli(process.argv.slice(2), processStreams());
 */
export function processStreams(): CliStreams {
  return { stdout: process.stdout, stderr: process.stderr };
}

/**
 * Ends the process quietly, with the exit code it has so far, once whoever reads its output
 * stops reading (`functionfuse run p.ts | head`). What is left to write has nowhere to go, and
 * that is the reader's choice, not an error: without this, Node reports the closed pipe
 * (EPIPE) as an unhandled 'error' event, with a stack, and exit code 1.
 */
export function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit();
    });
  }
}
