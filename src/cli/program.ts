/**
 * The `functionfuse` command line: its commands and options (parsed by commander, which also
 * writes every `--help`), and the mapping of every way it can end to an exit code.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { type BenchCommandOptions, benchCommand } from './bench-command.js';
import { parseBackendList, parseCountList, parseSeconds } from './bench-option-parsers.js';
import { ExitCode, exitCodeOf, formatError } from './cli-errors.js';
import { type CliStreams, processStreams } from './cli-streams.js';
import { graphCommand } from './graph-command.js';
import { type InterruptSource, processSignals } from './interrupts.js';
import { parseCount, parseSeed, parseThreadCount } from './option-parsers.js';
import { type PlanCommandOptions, planCommand } from './plan-command.js';
import { type RunCommandOptions, runCommand } from './run-command.js';
import { lsCommand, showCommand } from './storage-commands.js';
import { type WorkerCommandOptions, workerCommand } from './worker-command.js';

const commandNames = ['run', 'graph', 'plan', 'ls', 'show', 'bench', 'worker'];

/**
 * Options of {@link runCli}.
 *
 * @example
 * await runCli(['run', 'pipeline.ts'], processStreams(), { interrupts: processSignals() });
 */
export interface RunCliOptions {
  /**
   * Where `run` hears Ctrl-C and SIGTERM.
   * @default processSignals(): this process's own signals, during the run
   */
  readonly interrupts?: InterruptSource;
}

/**
 * Runs the command line `argv` (without `node` and the script) in this process and resolves to
 * its exit code: 0 when everything worked, 1 when a node failed (or the pipeline could not be
 * built, its outputs written, or what `ls` was asked for found), 2 for a usage error, 130 or
 * 143 when Ctrl-C or SIGTERM cancelled the run. Errors are printed as one line on stderr; the
 * stack trace follows only with `--verbose`. Never calls `process.exit`. (The executable runs
 * `run` in a child process it supervises, so a second Ctrl-C ends it even while a node blocks
 * the main thread; see run-supervisor.ts.)
 *
 * @example
 * process.exitCode = await runCli(['run', 'pipeline.ts', '--backend', 'local']);
 */
export async function runCli(
  argv: readonly string[],
  streams: CliStreams = processStreams(),
  options: RunCliOptions = {},
): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = createProgram(
    streams,
    (code) => {
      exitCode = code;
    },
    options.interrupts ?? processSignals(),
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error, argv, streams);
    // Before commander has parsed, `--verbose` may not be known to any command: look for it.
    streams.stderr.write(`${formatError(error, argv.includes('--verbose'))}\n`);
    return exitCodeOf(error);
  }
}

/**
 * The commander program, with every command. Actions report their exit code through
 * `setExitCode`; commander's own exits (help, usage errors) are thrown as CommanderError.
 *
 * @example
 * createProgram(processStreams(), (code) => { process.exitCode = code; }).helpInformation();
 */
export function createProgram(
  streams: CliStreams,
  setExitCode: (code: number) => void,
  interrupts: InterruptSource = processSignals(),
): Command {
  const program = new Command('functionfuse')
    .description('Run DAGs of plain TypeScript functions on every core, and see what ran where.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
      // Usage errors are printed by runCli, as one line with a pointer to the right --help.
      outputError: () => {},
    })
    .showSuggestionAfterError(true);

  program
    .command('run')
    .description(
      'Run a pipeline module and print its results as JSON on stdout (in full to a file or a pipe, summarised on a terminal).',
    )
    .argument('<pipeline>', 'module (.ts, .mts, .js, .mjs) whose default export builds the graph')
    .addOption(
      new Option(
        '--backend <name>',
        'where nodes run: the main thread, a pool of worker threads, or functionfuse worker processes through Redis',
      )
        .choices(['local', 'threads', 'bullmq'])
        .default('threads'),
    )
    .option(
      '--threads <count>',
      'worker threads for --backend threads (default: one per core)',
      parseThreadCount,
    )
    .option(
      '--connection <url>',
      'the Redis server of --backend bullmq, with functionfuse worker processes on it',
    )
    .option('--queue <name>', 'the queue of --backend bullmq (default: functionfuse)')
    .option('--storage <dir>', 'read stored results instead of running their nodes, and store new ones')
    .addOption(trustOption())
    .option('--trace <file>', 'write a Chrome trace (JSON): open it in ui.perfetto.dev or chrome://tracing')
    .option('--report <file>', 'write an HTML report: the graph coloured by outcome, a timeline per thread')
    .option('--graph <file>', 'draw the graph coloured by outcome (.svg, .dot or .mmd)')
    .option('--out <file>', 'write the results in full to this file (JSON) instead of stdout')
    .option('--seed <n>', 'seed every node with RandomStatePlugin (integer, 0 to 4294967295)', parseSeed)
    .option('--no-progress', 'do not show progress on stderr')
    .option('--verbose', 'print stack traces with errors, and the files written')
    .addHelpText(
      'after',
      `
A pipeline module builds the graph in its default export and starts nothing when imported:
  export default function pipeline() { return { leaves: total, workflowName: 'demo' }; }
(see PipelineDefinition in the API). TypeScript modules need no build step.

Results: stdout sent to a file or a pipe, and --out, get every value; typed arrays,
buffers, Maps, Dates and the numbers JSON cannot spell are tagged objects such as
{ "$type": "Float64Array", "values": [...] } (parseResultJson in the API reads them back).
A terminal gets typed arrays and buffers summarised.

The folders of --trace, --report, --graph and --out must exist and be writable: they are
checked before the run. If a file still cannot be written after it, the results are printed,
the other files kept, and the exit code is 1.

Exit codes: 0 ok, 1 a node failed or a file could not be written, 2 usage error,
130 cancelled (Ctrl-C), 143 cancelled (SIGTERM), 128 + n when signal n killed the run's
process from elsewhere (137: SIGKILL, as the out-of-memory killer sends).
The first Ctrl-C (or SIGTERM) cancels the run and still writes the trace, report and graph;
a cancelled run prints no results. A second one stops at once.

Examples:
  $ functionfuse run pipeline.ts
  $ functionfuse run pipeline.ts --backend local --seed 42
  $ functionfuse run pipeline.ts --threads 4 --trace run.json --report run.html
  $ functionfuse run pipeline.ts --storage ./store > results.json
  $ functionfuse run pipeline.ts --backend bullmq --connection redis://10.0.0.5:6379
  $ functionfuse run pipeline.ts --out results.json`,
    )
    .action(async (pipeline: string, options: RunCommandOptions) => {
      setExitCode(await runCommand(pipeline, options, streams, interrupts));
    });

  program
    .command('bench')
    .description(
      'Measure a pipeline module warm on each backend and thread count (tinybench), storage off, and print one table.',
    )
    .argument('<pipeline>', 'module (.ts, .mts, .js, .mjs) whose default export builds the graph, as for run')
    .option(
      '--backend <names>',
      'comma-separated backends to measure: local, threads, bullmq (default: local,threads)',
      parseBackendList,
    )
    .option(
      '--threads <counts>',
      'comma-separated thread counts for threads (default: 1, 2, 4, … and the cores)',
      parseCountList,
    )
    .option(
      '--time <seconds>',
      'how long to measure each row, in seconds of warm runs (default: 5)',
      parseSeconds,
    )
    .option(
      '--iterations <n>',
      'the fewest warm runs of each row, however long they take (default: 5)',
      parseCount,
    )
    .option('--seed <n>', 'seed every node with RandomStatePlugin (integer, 0 to 4294967295)', parseSeed)
    .option(
      '--connection <url>',
      'the Redis server of --backend bullmq, with functionfuse worker processes on it',
    )
    .option('--queue <name>', 'the queue of --backend bullmq (default: functionfuse)')
    .option('--nodes', 'add a table of the slowest nodes (median over the warm runs)', false)
    .option('--json <file>', "write tinybench's statistics of every row, the machine and the pipeline (JSON)")
    .option(
      '--compare <file>',
      'compare with a file written by --json: exit 1 when a row got slower beyond its margin of error',
    )
    .option('--no-progress', 'do not show progress on stderr')
    .option('--verbose', 'print stack traces with errors, and the files written')
    .addHelpText(
      'after',
      `
Each row (a backend, and for threads a thread count) gets a workflow of its own; its first
run is cold (threads starting, modules loading, JIT) and is reported on its own line, apart
from the statistics of the warm runs that follow. Speedup: the local row's median over the
row's. Results must be identical on every row and run, or the benchmark fails: seed random
pipelines with --seed (or a RandomStatePlugin in setup). The pipeline's setup must not set
a storage.

--compare marks a row slower when the 95 % confidence intervals of the two means do not
overlap, and exits 1 then; --compare and --json may name one file (it is read first).

The first Ctrl-C (or SIGTERM) stops after the run under way and prints, writes and compares
what was measured (exit 130 or 143); a second one quits at once.

Examples:
  $ functionfuse bench pipeline.ts
  $ functionfuse bench pipeline.ts --backend threads --threads 1,2,4 --time 10 --nodes
  $ functionfuse bench pipeline.ts --seed 42 --json bench.json
  $ functionfuse bench pipeline.ts --compare bench.json   # in CI: exit 1 when slower`,
    )
    .action(async (pipeline: string, options: BenchCommandOptions) => {
      setExitCode(await benchCommand(pipeline, options, streams, interrupts));
    });

  program
    .command('graph')
    .description('Draw a pipeline\u2019s graph without running it, and say on stderr what was written.')
    .argument('<pipeline>', 'module (.ts, .mts, .js, .mjs) whose default export builds the graph')
    .requiredOption('--out <file>', 'the drawing to write: .svg, .dot or .mmd (by extension)')
    .option('--verbose', 'print stack traces with errors')
    .addHelpText(
      'after',
      `
Examples:
  $ functionfuse graph pipeline.ts --out pipeline.svg
  $ functionfuse graph pipeline.ts --out pipeline.mmd   # Mermaid, for Markdown pages`,
    )
    .action(async (pipeline: string, options: { out: string }) => {
      setExitCode(await graphCommand(pipeline, options, streams));
    });

  program
    .command('plan')
    .description(
      'Say what run would do with a storage folder, running nothing: each node cached, stale (and what changed) or missing, and what would run.',
    )
    .argument('<pipeline>', 'module (.ts, .mts, .js, .mjs) whose default export builds the graph')
    .requiredOption('--storage <dir>', 'the storage folder the run would use')
    .option('--seed <n>', 'as run --seed: seeds are part of the cache keys', parseSeed)
    .addOption(trustOption())
    .option('--verbose', 'print stack traces with errors')
    .addHelpText(
      'after',
      `
A stored result is used when it was computed under the node's cache key: the same task
code, version, arguments, seed and input nodes. Otherwise it is stale and the node runs again,
and so does every node that depends on it.

Examples:
  $ functionfuse plan pipeline.ts --storage ./store
  $ functionfuse plan pipeline.ts --storage ./store --seed 42`,
    )
    .action(async (pipeline: string, options: PlanCommandOptions) => {
      setExitCode(await planCommand(pipeline, options, streams));
    });

  program
    .command('ls')
    .description(
      'List the workflows in a storage folder, or the stored results of one workflow with their cache key prefix and write time (exit 1 if it is not there).',
    )
    .argument('<storage>', 'the storage folder (as given to --storage or FileStorage)')
    .argument('[workflow]', 'a workflow name: list its stored results')
    .argument('[glob]', 'only results whose names match (* and ?)', '*')
    .option('--verbose', 'print stack traces with errors')
    .addHelpText(
      'after',
      `
Examples:
  $ functionfuse ls ./store
  $ functionfuse ls ./store demo '*model'`,
    )
    .action(async (storage: string, workflow: string | undefined, glob: string) => {
      setExitCode(await lsCommand(storage, workflow, glob, streams));
    });

  program
    .command('show')
    .description('Summarise one stored result: its type, shape and first values.')
    .argument('<storage>', 'the storage folder')
    .argument('<workflow>', 'the workflow name')
    .argument('<node>', 'the node name')
    .option('--verbose', 'print stack traces with errors')
    .addHelpText(
      'after',
      `
Example:
  $ functionfuse show ./store demo train`,
    )
    .action(async (storage: string, workflow: string, node: string) => {
      setExitCode(await showCommand(storage, workflow, node, streams));
    });

  program
    .command('worker')
    .description(
      'Run nodes for BullMQWorkflow: take jobs from a Redis queue and run them on this machine\u2019s threads, until Ctrl-C.',
    )
    .requiredOption('--connection <url>', 'the Redis server the coordinators use (redis://host:port)')
    .option(
      '--threads <count>',
      'worker threads: nodes run at once (default: one per core)',
      parseThreadCount,
    )
    .option('--queue <name>', 'the queue to take jobs from (BullMQWorkflow\u2019s queueName)', 'functionfuse')
    .option(
      '--root <dir>',
      'this machine\u2019s copy of the project: task modules are found relative to it (default: .)',
    )
    .option(
      '--lock-duration <ms>',
      'a dead worker\u2019s jobs go to another this long after (default: 5000)',
      parseCount,
    )
    .option('--verbose', 'print stack traces with errors')
    .addHelpText(
      'after',
      `
Start one worker per machine, with the same code as the coordinator (the process that calls
run()), and the same --root layout: a worker refuses a node whose module differs from the
coordinator's. The first Ctrl-C (or SIGTERM) lets running jobs finish; a second ends at once.

Examples:
  $ functionfuse worker --connection redis://10.0.0.5:6379
  $ functionfuse worker --connection redis://10.0.0.5:6379 --threads 8 --root /srv/project`,
    )
    .action(async (options: WorkerCommandOptions) => {
      setExitCode(await workerCommand(options, streams, interrupts));
    });

  return program;
}

/** `--trust`, shared by run and plan. */
function trustOption(): Option {
  return new Option(
    '--trust <by>',
    'use a stored result when its cache key matches (key), or whenever one is stored under the name (name)',
  )
    .choices(['key', 'name'])
    .default('key');
}

/** Help and version are normal exits; every other commander exit is a usage error. */
function commanderExit(error: CommanderError, argv: readonly string[], streams: CliStreams): number {
  if (error.exitCode === 0 || error.code === 'commander.version') return ExitCode.ok;
  // `functionfuse` alone prints the help (on stderr) and exits: that is a usage error too,
  // and the help already says what to do.
  if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return ExitCode.usage;
  const command = argv.find((argument) => commandNames.includes(argument));
  // One line, and no full stop before the pointer to --help that follows.
  const message = error.message
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '');
  const help = command === undefined ? 'functionfuse --help' : `functionfuse ${command} --help`;
  streams.stderr.write(`functionfuse: ${capitalise(message)} (see ${help}).\n`);
  return ExitCode.usage;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The package's version, from the package.json above this file (in src/ and in dist/src/). */
function packageVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === 'functionfuse' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // Not this one: try the next level up.
    }
  }
  return 'unknown';
}
