/**
 * A wait that does not keep the process alive: the cluster's bounded waits (a worker's drain, the
 * end of a run) give up at their bound, and must not be the reason a finished program stays up.
 */

/**
 * Resolves after `ms`, with its timer unref'd.
 *
 * @example
 * await Promise.race([jobsStopped, unrefedDelay(5000)]);
 */
export function unrefedDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
