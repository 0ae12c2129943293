/**
 * What a worker says while Redis is away. Every client of a worker (its data client, BullMQ's
 * connections of both its queues) raises an error at each reconnection attempt, a few a second,
 * each with a stack; a person watching the worker needs two lines: that Redis is gone, and that
 * it is back. Errors while Redis is there are said as they come, one line each.
 */
/** How many slipped jobs a report remembers, to say each once: a bound, not a limit. */
const jobsRemembered = 1_000;

export class OutageReport {
  readonly #write: (line: string) => void;
  readonly #who: string;
  readonly #url: string;
  readonly #redisIsUp: () => boolean;
  #down = false;
  /** The jobs said to have slipped away, so that BullMQ's repeats of one are not. */
  readonly #jobsSaid = new Set<string>();

  /**
   * @param who Starts each line: `functionfuse worker host-123-1`.
   * @param redisIsUp Whether the worker's data client is connected now.
   */
  constructor(write: (line: string) => void, who: string, url: string, redisIsUp: () => boolean) {
    this.#write = write;
    this.#who = who;
    this.#url = url;
    this.#redisIsUp = redisIsUp;
  }

  /** An error from one of the worker's clients. */
  error(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.#redisIsUp() && !isConnectionError(error)) {
      const jobId = slippedJobId(message);
      if (jobId === undefined) this.#write(`${this.#who}: ${message}\n`);
      else this.#sayJobSlipped(jobId, message);
      return;
    }
    if (this.#down) return;
    this.#down = true;
    this.#write(
      `${this.#who}: lost Redis at ${this.#url} (${message}); reconnecting. A job it holds is ` +
        'reported once Redis is back; if its lock lapses first, another worker takes it.\n',
    );
  }

  /**
   * BullMQ says, once per attempt to renew or finish it, that a job is no longer this worker's
   * (its lock lapsed, or Redis lost it while away): one line per job, saying what it means.
   */
  #sayJobSlipped(jobId: string, message: string): void {
    if (this.#jobsSaid.has(jobId)) return;
    if (this.#jobsSaid.size >= jobsRemembered) this.#jobsSaid.clear();
    this.#jobsSaid.add(jobId);
    this.#write(
      `${this.#who}: job ${jobId} is no longer this worker's (BullMQ: ${message}): its lock lapsed, or Redis ` +
        'lost it while away, so its outcome is dropped. A job whose lock lapsed goes to another worker ' +
        '(delivery is at least once).\n',
    );
  }

  /** The data client is connected (again). */
  ready(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#write(`${this.#who}: Redis at ${this.#url} is back; taking jobs again.\n`);
  }
}

/** The job a BullMQ error says this worker no longer holds (its lock or its key is gone). */
function slippedJobId(message: string): string | undefined {
  const match =
    /^(?:(?:could not renew lock|Missing lock|Missing key|Lock mismatch) for job (\S+?)\.?(?:\s|$)|Job (\S+) is not in the active state)/.exec(
      message,
    );
  return match === null ? undefined : (match[1] ?? match[2]);
}

/** Errors that mean the connection itself failed, as Node's sockets and ioredis report them. */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH)$/.test(code)
  ) {
    return true;
  }
  const message = error instanceof Error ? error.message : String(error);
  return /Connection is closed|connect ECONNREFUSED|read ECONNRESET|Stream isn't writeable/.test(message);
}
