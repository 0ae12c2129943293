/**
 * Where the Redis server is, as both sides of a cluster take it: a `redis://` URL or ioredis
 * options. One place turns either into ioredis options and a name for messages, and opens a
 * client within a bounded time, so a Redis that is not there is an error naming it, never a
 * wait without end (ioredis on its own retries forever).
 */
import type { Redis, RedisOptions } from 'ioredis';
import { FunctionFuseError, RedisConnectionError } from '../errors.js';

/** A Redis server: `redis://host:port[/db]` (`rediss://` for TLS), or ioredis options. */
export type RedisConnection = string | RedisOptions;

/** A connection checked once: ioredis options and how messages name the server. */
export interface ResolvedConnection {
  readonly options: RedisOptions;
  /** `redis://127.0.0.1:6379`, without a password. */
  readonly url: string;
}

/**
 * Checks `connection` and turns it into ioredis options.
 *
 * @param owner Who took the option, for messages: `BullMQWorkflow "etl"`, `functionfuse worker`.
 */
export function resolveConnection(connection: unknown, owner: string): ResolvedConnection {
  if (typeof connection === 'string') return fromUrl(connection, owner);
  if (connection !== null && typeof connection === 'object' && !Array.isArray(connection)) {
    const options = connection as RedisOptions;
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 6379;
    return { options: { ...options }, url: `redis://${host}:${port}${options.db ? `/${options.db}` : ''}` };
  }
  throw new FunctionFuseError(
    `Expected \`connection\` of ${owner} to be a Redis URL (redis://127.0.0.1:6379) or ioredis options, got ` +
      `${connection === undefined ? 'nothing' : `\`${String(connection)}\` (${typeof connection})`}.`,
  );
}

function fromUrl(text: string, owner: string): ResolvedConnection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUrl(text, owner, 'it is not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw badUrl(text, owner, `its scheme is ${url.protocol} rather than redis: or rediss:`);
  }
  const port = url.port === '' ? 6379 : Number(url.port);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw badUrl(text, owner, `its database \`${url.pathname.slice(1)}\` is not a number`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host,
    port,
    db,
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  return { options, url: `${url.protocol}//${url.host}${db === 0 ? '' : `/${db}`}` };
}

function badUrl(text: string, owner: string, reason: string): FunctionFuseError {
  return new FunctionFuseError(
    `Expected \`connection\` of ${owner} to be a Redis URL such as redis://127.0.0.1:6379, got \`${text}\`: ${reason}.`,
  );
}

/**
 * Opens a client and waits until Redis answers, at most `timeoutMs`; then rejects with a
 * RedisConnectionError naming the server and the last connection error. The client it resolves
 * to keeps reconnecting after a loss (its owner watches for that, see {@link watchConnection}).
 */
export async function openRedis(
  connection: ResolvedConnection,
  timeoutMs: number,
  owner: string,
): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis({
    ...connection.options,
    lazyConnect: true,
    // BullMQ's rule for blocking clients, and ours: a command waits for a reconnection rather
    // than failing after a few tries; losses are timed by the owner instead.
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  let lastError: unknown;
  const onError = (error: unknown): void => {
    lastError = error;
  };
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new Error('timed out'));
        }, timeoutMs);
      }),
    ]);
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    const reason = lastError ?? error;
    throw new RedisConnectionError(
      // "within" only when the wait ran out: a refused connection fails at once, and says why.
      `Could not reach Redis at ${connection.url} (the \`connection\` of ${owner})${timedOut ? ` within ${timeoutMs} ms` : ''}: ` +
        `${reason instanceof Error ? reason.message : String(reason)}. Is redis-server running there?`,
      { cause: reason },
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `onLost` once the client has been without its server for `graceMs` in a row (ioredis
 * reconnects by itself meanwhile; a short blip costs nothing). Returns a function that stops
 * watching.
 */
export function watchConnection(
  client: Redis,
  graceMs: number,
  onLost: (cause: unknown) => void,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let lastError: unknown;
  const onError = (error: unknown): void => {
    lastError = error;
  };
  const onClose = (): void => {
    timer ??= setTimeout(() => onLost(lastError ?? new Error('connection closed')), graceMs);
  };
  const onReady = (): void => {
    clearTimeout(timer);
    timer = undefined;
  };
  client.on('error', onError);
  client.on('close', onClose);
  client.on('ready', onReady);
  return () => {
    clearTimeout(timer);
    client.off('error', onError);
    client.off('close', onClose);
    client.off('ready', onReady);
  };
}
