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
