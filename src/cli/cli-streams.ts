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
  readonly stdout: NodeJS.WritableStream;
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
