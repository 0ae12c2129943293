/**
 * What a worker says while Redis is away. Every client of a worker (its data client, BullMQ's
 * connections of both its queues) raises an error at each reconnection attempt, a few a second,
 * each with a stack; a person watching the worker needs two lines: that Redis is gone, and that
 * it is back. Errors while Redis is there are said as they come, one line each.
 */
export class OutageReport {
  readonly #write: (line: string) => void;
  readonly #who: string;
  readonly #url: string;
  readonly #redisIsUp: () => boolean;
  #down = false;

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
      this.#write(`${this.#who}: ${message}\n`);
      return;
    }
    if (this.#down) return;
    this.#down = true;
    this.#write(
      `${this.#who}: lost Redis at ${this.#url} (${message}); reconnecting. A job it holds is ` +
        'reported once Redis is back; if its lock lapses first, another worker takes it.\n',
    );
  }

  /** The data client is connected (again). */
  ready(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#write(`${this.#who}: Redis at ${this.#url} is back; taking jobs again.\n`);
  }
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
