/**
 * The Monte Carlo pipeline on a cluster of one machine: a Redis server, two worker processes
 * (`functionfuse worker`), and this process as the coordinator. It runs the graph on
 * LocalWorkflow and on BullMQWorkflow, checks that both give the same answer to the last bit,
 * and says which worker ran how many nodes. On several machines, start `functionfuse worker
 * --connection redis://HOST:6379` on each (same code, same layout), and pass --connection here.
 *
 * Options: --connection URL (default: start redis-server from PATH on a free port), --workers N
 * (2), --threads N per worker (1), --batches N (8), --paths N per batch (20000), --steps N (50).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BullMQWorkflow, LocalWorkflow, RandomStatePlugin } from 'functionfuse';
import { buildPipeline } from '../monte-carlo/pipeline.js';

const { values } = parseArgs({
  options: {
    connection: { type: 'string' },
    workers: { type: 'string', default: '2' },
    threads: { type: 'string', default: '1' },
    batches: { type: 'string', default: '8' },
    paths: { type: 'string', default: '20000' },
    steps: { type: 'string', default: '50' },
  },
});

/** The project: task modules are named relative to it, here and on every worker. */
const root = fileURLToPath(new URL('../..', import.meta.url));
/** The functionfuse executable of this project (what `npx functionfuse` runs). */
const cli = join(
  dirname(fileURLToPath(import.meta.resolve('functionfuse/package.json'))),
  'dist/src/cli/main.js',
);
const queueName = `example-${process.pid}`;
const started: ChildProcess[] = [];

/** Starts `command`, resolving once it prints `ready` (on stdout or stderr). */
function startProcess(command: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${command} did not start: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => reject(new Error(`could not start ${command}: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`${command} exited with code ${code}: ${output}`)));
  });
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

try {
  let connection = values.connection;
  if (connection === undefined) {
    const port = await freePort();
    await startProcess(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      /Ready to accept connections/,
    );
    connection = `redis://127.0.0.1:${port}`;
    console.log(`Started redis-server at ${connection}`);
  }
  const workers = Number(values.workers);
  await Promise.all(
    Array.from({ length: workers }, () =>
      startProcess(
        process.execPath,
        [
          cli,
          'worker',
          '--connection',
          connection,
          '--threads',
          values.threads,
          '--queue',
          queueName,
          '--root',
          root,
        ],
        /Ready; Ctrl-C stops it/,
      ),
    ),
  );
  console.log(`Started ${workers} worker processes (${values.threads} thread each) on queue "${queueName}"`);

  const leaves = buildPipeline(Number(values.batches), Number(values.paths), Number(values.steps));
  const seeded = <W extends LocalWorkflow | BullMQWorkflow>(workflow: W): W => {
    workflow.query('simulate batch .*').setPlugin(new RandomStatePlugin({ seed: 2024 }));
    return workflow;
  };
  const local = seeded(new LocalWorkflow(leaves, { workflowName: 'monte-carlo' }));
  await using cluster = seeded(
    new BullMQWorkflow(leaves, { workflowName: 'monte-carlo', connection, queueName, root }),
  );
  const ranOn = new Map<string, number>();
  cluster.on('node-finished', ({ worker }) => {
    if (worker !== undefined) ranOn.set(worker, (ranOn.get(worker) ?? 0) + 1);
  });

  let clock = performance.now();
  const [localEstimate] = await local.run();
  const localMs = performance.now() - clock;
  clock = performance.now();
  await cluster.run();
  const coldMs = performance.now() - clock;
  ranOn.clear();
  clock = performance.now();
  const [clusterEstimate, exact] = await cluster.run();
  const clusterMs = performance.now() - clock;

  console.log(`exact (Black-Scholes)   ${exact.toFixed(6)}`);
  console.log(`LocalWorkflow           ${localEstimate.price.toFixed(6)} in ${localMs.toFixed(0)} ms`);
  console.log(
    `BullMQWorkflow          ${clusterEstimate.price.toFixed(6)} in ${clusterMs.toFixed(0)} ms (a second run; the first, cold, took ${coldMs.toFixed(0)} ms)`,
  );
  const same =
    localEstimate.price === clusterEstimate.price &&
    localEstimate.standardError === clusterEstimate.standardError;
  console.log(`identical results on both backends: ${same ? 'yes' : 'NO'}`);
  for (const [worker, count] of [...ranOn].sort())
    console.log(`worker ${worker} ran ${count} nodes of the second run`);
  if (!same) process.exitCode = 1;
} finally {
  // Stopped by pid: SIGTERM lets each finish what it holds.
  await Promise.all(
    started.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve(undefined);
          else {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }
        }),
    ),
  );
}
