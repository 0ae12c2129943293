/**
 * Ctrl-C and SIGTERM, sent for real to the pid of the built executable: the first cancels the
 * run (trace and report still written, no results printed), a second ends it at once, even
 * while a synchronous node blocks the thread that runs the pipeline.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { processSignals } from '../src/cli/interrupts.js';
import {
  killLeftoverProcesses,
  processExists,
  runFunctionfuse,
  trackProcess,
} from './fixtures/cli-process.js';

const folder = mkdtempSync(join(tmpdir(), 'functionfuse-cli-signals-'));
afterEach(killLeftoverProcesses);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const blocking = 'test/fixtures/cli-blocking.ts';
const startedLine = /^blocking node started in process (\d+)$/m;
const cancellingLine = (signal: string) =>
  `functionfuse: Cancelling the run (${signal}): running nodes are stopped, the trace and report still written. ` +
  'Interrupt again (Ctrl-C) to stop at once.';

describe('functionfuse run and signals', () => {
  it('says so when something else kills the run process (the out-of-memory killer), exiting 137', async () => {
    let childPid: number | undefined;
    const outcome = await runFunctionfuse(['run', blocking, '--backend', 'local', '--no-progress'], {
      onStderr: (stderr) => {
        const started = startedLine.exec(stderr);
        if (started === null || childPid !== undefined) return;
        childPid = Number(started[1]);
        trackProcess(childPid);
        process.kill(childPid, 'SIGKILL');
      },
    });
    expect(outcome).toEqual({
      code: 137,
      signal: null,
      stdout: '',
      stderr: [
        `blocking node started in process ${childPid}`,
        "functionfuse: The run's process was killed by SIGKILL (the system's out-of-memory killer, or kill -9?): " +
          'the run did not finish, and its trace and report were not written. What it had saved to storage is ' +
          'kept: run again with the same --storage to resume.',
        '',
      ].join('\n'),
    });
  });

  it('ends at once with 130 on a second Ctrl-C while a synchronous node blocks the main thread (local)', async () => {
    let childPid: number | undefined;
    let sent = 0;
    const outcome = await runFunctionfuse(['run', blocking, '--backend', 'local', '--no-progress'], {
      onStderr: (stderr, child) => {
        const started = startedLine.exec(stderr);
        if (started !== null && childPid === undefined) {
          childPid = Number(started[1]);
          trackProcess(childPid);
        }
        // Each Ctrl-C only once the previous one has been answered.
        if (sent === 0 && childPid !== undefined) {
          sent = 1;
          child.kill('SIGINT');
        } else if (sent === 1 && stderr.includes(cancellingLine('SIGINT'))) {
          sent = 2;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(2);
    expect(outcome).toEqual({
      code: 130,
      signal: null,
      stdout: '',
      stderr: [
        `blocking node started in process ${childPid}`,
        cancellingLine('SIGINT'),
        'functionfuse: Stopped at once (SIGINT again): the run was killed; its trace and report were not written.',
        '',
      ].join('\n'),
    });
    // The process that ran the pipeline is gone, not left spinning.
    expect(processExists(childPid as number)).toBe(false);
  });

  it('cancels a blocked local run on the first Ctrl-C: once the node returns, the trace and report are written and no results printed (130)', async () => {
    const release = join(folder, 'release');
    const report = join(folder, 'blocked.html');
    const trace = join(folder, 'blocked.json');
    let sent = false;
    const outcome = await runFunctionfuse(
      ['run', blocking, '--backend', 'local', '--no-progress', '--report', report, '--trace', trace],
      {
        env: { CLI_RELEASE_FILE: release },
        onStderr: (stderr, child) => {
          const started = startedLine.exec(stderr);
          if (started !== null && !sent) {
            sent = true;
            trackProcess(Number(started[1]));
            child.kill('SIGINT');
          }
          // The node returns only after the interrupt reached the parent.
          if (stderr.includes(cancellingLine('SIGINT'))) writeFileSync(release, '');
        },
      },
    );
    expect(outcome.code).toBe(130);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr.trimEnd().split('\n').slice(1)).toEqual([
      cancellingLine('SIGINT'),
      'functionfuse: Workflow "blocking" was cancelled (SIGINT): its results are not printed.',
    ]);
    expect(readFileSync(report, 'utf8')).toContain('<title>functionfuse run: blocking</title>');
    const { traceEvents } = JSON.parse(readFileSync(trace, 'utf8')) as { traceEvents: { name: string }[] };
    expect(traceEvents.some((event) => event.name === 'block')).toBe(true);
  });

  it('treats SIGTERM like Ctrl-C: the run on threads is cancelled, trace and report written, exit 143', async () => {
    const report = join(folder, 'terminated.html');
    const trace = join(folder, 'terminated.json');
    let sent = false;
    const outcome = await runFunctionfuse(
      ['run', 'test/fixtures/cli-slow.ts', '--threads', '1', '--report', report, '--trace', trace],
      {
        env: { CLI_SLOW_MS: '600000' },
        // The first progress line (after 2 s) shows the node running: terminate then.
        onStderr: (stderr, child) => {
          if (!sent && stderr.includes('1 running')) {
            sent = true;
            child.kill('SIGTERM');
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(outcome.code).toBe(143);
    expect(outcome.stdout).toBe('');
    const lines = outcome.stderr.trimEnd().split('\n');
    expect(lines).toContain(cancellingLine('SIGTERM'));
    expect(lines.at(-1)).toBe(
      'functionfuse: Workflow "slow" was cancelled (SIGTERM): its results are not printed.',
    );
    expect(readFileSync(report, 'utf8')).toContain('<title>functionfuse run: slow</title>');
    expect(JSON.parse(readFileSync(trace, 'utf8'))).toHaveProperty('traceEvents');
  });
});

describe('processSignals (runCli in-process)', () => {
  it('hands the first SIGINT or SIGTERM to the run and then stops listening', () => {
    const listeners = () => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const [sigint = 0, sigterm = 0] = listeners();
      const heard: string[] = [];
      const stop = processSignals().listen((received) => heard.push(received));
      expect(listeners()).toEqual([sigint + 1, sigterm + 1]);
      process.emit(signal, signal);
      expect(heard).toEqual([signal]);
      // Both removed: a second signal gets Node's default and ends the process.
      expect(listeners()).toEqual([sigint, sigterm]);
      stop();
    }
  });
});
