/**
 * Stress script (not a unit test): starts worker threads through ThreadWorkflow, the real path
 * (the task pool's Piscina workers and each actor's dedicated worker), in child processes run
 * one after another, and counts the processes that abort. It guards against Node 20's
 * `FATAL ERROR: v8::Module::IsGraphAsync must be used on an instantiated module`, which took
 * the process down about once in 3,760 worker starts (issue 17's figure) while Piscina's worker
 * require()d our ES module entry (see workers/task-worker-loader.cts).
 *
 * Run: npm run build && nice -n 10 node --import tsx bench/worker-starts.ts [--starts 20000]
 *   [--processes 4] [--threads 2] [--actors 1] [--loader none|tsx]; WORKER_STARTS=2000 sets
 *   --starts too. `--loader tsx` runs the children under `node --import tsx`, as `npx tsx
 *   main.ts` does: every worker then loads tsx too (workers inherit execArgv).
 * An aborted process is replaced by a new one for the starts it had left, so the total is
 * always reached. Prints a table and writes bench/results/worker-starts.json.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type FigureRow, report, round } from './support.js';

const { values } = parseArgs({
  options: {
    starts: { type: 'string', default: process.env['WORKER_STARTS'] ?? '20000' },
    processes: { type: 'string', default: '4' },
    threads: { type: 'string', default: '2' },
    actors: { type: 'string', default: '1' },
    loader: { type: 'string', default: 'none' },
  },
});
const totalStarts = positiveInteger('starts', values.starts);
const processes = positiveInteger('processes', values.processes);
const threads = positiveInteger('threads', values.threads);
const actors = Number(values.actors);
if (!Number.isInteger(actors) || actors < 0) {
  throw new RangeError(`Expected \`--actors\` to be an integer from 0 and up, got \`${values.actors}\``);
}

if (values.loader !== 'none' && values.loader !== 'tsx') {
  throw new RangeError(`Expected \`--loader\` to be none or tsx, got \`${values.loader}\``);
}
const loaderArgs = values.loader === 'tsx' ? ['--import', 'tsx'] : [];

const childScript = fileURLToPath(new URL('./fixtures/worker-starts-child.mjs', import.meta.url));
/** What V8 prints before it aborts on the bug this script looks for. */
const abortSignature = 'IsGraphAsync';

interface ChildOutcome {
  readonly started: number;
  readonly aborted: boolean;
  /** A failure that is not the abort looked for (its stderr's last lines), or undefined. */
  readonly otherFailure?: string;
}

let started = 0;
let aborts = 0;
let childProcesses = 0;
const otherFailures: string[] = [];
const beganAt = performance.now();
const perProcess = Math.ceil(totalStarts / processes);
while (started < totalStarts) {
  const outcome = await runChild(Math.min(perProcess, totalStarts - started));
  childProcesses++;
  started += outcome.started;
  if (outcome.aborted) aborts++;
  if (outcome.otherFailure !== undefined) otherFailures.push(outcome.otherFailure);
  console.log(
    `process ${childProcesses}: ${outcome.started} starts${outcome.aborted ? ', ABORTED' : ''}` +
      `${outcome.otherFailure === undefined ? '' : `, failed: ${outcome.otherFailure}`} (total ${started}/${totalStarts})`,
  );
  // A process that fails before its first start would otherwise loop forever.
  if (outcome.otherFailure !== undefined && outcome.started === 0) break;
}
const rows: FigureRow[] = [
  {
    'worker starts': started,
    'child processes': childProcesses,
    'threads per pool': threads,
    'actors per run': actors,
    loader: values.loader,
    aborts,
    'other failures': otherFailures.length,
    'starts per abort': aborts === 0 ? '-' : round(started / aborts),
    'time (s)': round((performance.now() - beganAt) / 1000),
  },
];
report('worker-starts', rows);
if (aborts > 0 || otherFailures.length > 0) process.exitCode = 1;

function runChild(starts: number): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const args = [...loaderArgs, childScript, String(starts), String(threads), String(actors)];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastCount = 0;
    let stdoutTail = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdoutTail += chunk;
      const lines = stdoutTail.split('\n');
      stdoutTail = lines.pop() ?? '';
      for (const line of lines) if (line !== '') lastCount = Number(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const aborted = stderr.includes(abortSignature);
      if (code === 0 && !aborted) {
        resolve({ started: starts, aborted: false });
        return;
      }
      // The workflow that was running when the process died started its workers too (or some).
      const startedBeforeDeath = Math.min(starts, lastCount + threads + actors);
      // Node ends a crash report with its version: the error's own line says more.
      const lines = stderr.trim().split('\n');
      const errorLine = lines.find((line) => /Error|FATAL/.test(line));
      const tail = [errorLine, ...lines.slice(-3)].filter((line) => line !== undefined).join(' | ');
      resolve(
        aborted
          ? { started: startedBeforeDeath, aborted: true }
          : {
              started: startedBeforeDeath,
              aborted: false,
              otherFailure: `exit ${code ?? signal}: ${tail}`,
            },
      );
    });
  });
}

function positiveInteger(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Expected \`--${option}\` to be an integer from 1 and up, got \`${text}\``);
  }
  return value;
}
