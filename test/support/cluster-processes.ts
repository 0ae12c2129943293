/**
 * Real processes for the cluster tests and benchmarks: a Redis server started on a free loopback
 * port (`--save "" --appendonly no`, nothing written to disk) and worker processes of the built
 * CLI (`functionfuse worker`), each stopped by pid. FUNCTIONFUSE_REDIS_URL points them at an
 * existing server instead; workers are still started here. (No vitest here: bench/ uses it.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const repositoryRoot = join(import.meta.dirname, '..', '..');
const cliPath = join(repositoryRoot, 'dist', 'src', 'cli', 'main.js');

/** How long a process may take to start or stop before the set-up fails, in ms. */
const startWaitMs = 30_000;

/** A Redis server of the tests. */
export interface TestRedis {
  readonly url: string;
  readonly pid: number | undefined;
  /** Stops the server (by pid) if this set-up started it. */
  stop(): Promise<void>;
}

/**
 * Starts `executable` on a free loopback port, or on `port` (to start a server again where one
 * stopped); FUNCTIONFUSE_REDIS_URL names a server to use instead.
 */
export async function startRedis(executable = 'redis-server', port?: number): Promise<TestRedis> {
  const given = process.env.FUNCTIONFUSE_REDIS_URL;
  if (given !== undefined && given !== '') return { url: given, pid: undefined, stop: async () => {} };
  const fixed = port !== undefined;
  for (let attempt = 1; ; attempt++) {
    port ??= await freePort();
    const server = spawn(
      executable,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await waitForOutput(server, /Ready to accept connections/, 'redis-server');
      return { url: `redis://127.0.0.1:${port}`, pid: server.pid, stop: () => stopProcess(server) };
    } catch (error) {
      await stopProcess(server);
      // Another process may have taken the port between the check and the start.
      if (attempt === 3 || fixed) throw error;
      port = undefined;
    }
  }
}

/** A worker process of the tests. */
export interface TestWorker {
  readonly pid: number;
  readonly process: ChildProcess;
  /** What it wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not ended within the wait. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

export interface TestWorkerOptions {
  readonly url: string;
  readonly queue: string;
  readonly threads?: number;
  readonly lockDurationMs?: number;
  readonly root?: string;
}

export async function startWorkerProcess(options: TestWorkerOptions): Promise<TestWorker> {
  const args = [
    cliPath,
    'worker',
    '--connection',
    options.url,
    '--queue',
    options.queue,
    '--threads',
    String(options.threads ?? 1),
    '--root',
    options.root ?? repositoryRoot,
    '--lock-duration',
    String(options.lockDurationMs ?? 2000),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: repositoryRoot });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  await waitForOutput(child, /Ready; Ctrl-C stops it/, 'functionfuse worker', () => errors);
  return {
    pid: child.pid as number,
    process: child,
    stderr: () => errors,
    stop: () => stopProcess(child),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child, startWaitMs);
    },
  };
}

/** Every key in the server matching `pattern`, by SCAN. */
export async function scanKeys(url: string, pattern: string): Promise<string[]> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  } finally {
    client.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function waitForOutput(
  child: ChildProcess,
  ready: RegExp,
  name: string,
  stderr?: () => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => finish(new Error(`${name} did not start within ${startWaitMs} ms: ${seen}`)),
      startWaitMs,
    );
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (ready.test(seen)) finish(undefined);
    };
    const onExit = (code: number | null): void =>
      finish(new Error(`${name} exited with code ${code} before it was ready: ${seen}${stderr?.() ?? ''}`));
    const finish = (error: Error | undefined): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error === undefined) resolve();
      else reject(error);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await exited(child, startWaitMs))) {
    child.kill('SIGKILL');
    await exited(child, startWaitMs);
  }
}

function exited(child: ChildProcess, waitMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), waitMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
