import { describe, expect, it } from 'vitest';
import { runFunctionfuse } from './fixtures/cli-process.js';

describe('functionfuse --help', () => {
  it('lists every command', async () => {
    const outcome = await runFunctionfuse(['--help']);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toMatch(/^Usage: functionfuse \[options\] \[command\]\n/);
    for (const command of [
      'run [options] <pipeline>',
      'graph [options] <pipeline>',
      'plan [options] <pipeline>',
      'ls [options] <storage> [workflow] [glob]',
      'show [options] <storage> <workflow> <node>',
    ]) {
      expect(outcome.stdout).toContain(`  ${command}`);
    }
  });

  it.each([
    [
      'run',
      'Usage: functionfuse run [options] <pipeline>',
      [
        '--backend <name>',
        '--threads <count>',
        '--storage <dir>',
        '--trust <by>',
        '--trace <file>',
        '--report <file>',
        '--graph <file>',
        '--seed <n>',
        '--out <file>',
        '--no-progress',
        '--verbose',
        '130 cancelled (Ctrl-C), 143 cancelled (SIGTERM), 128 + n when signal n killed the run',
        '{ "$type": "Float64Array", "values": [...] }',
      ],
    ],
    [
      'graph',
      'Usage: functionfuse graph [options] <pipeline>',
      ['--out <file>', '.svg, .dot or .mmd', '--verbose'],
    ],
    [
      'plan',
      'Usage: functionfuse plan [options] <pipeline>',
      ['--storage <dir>', '--seed <n>', '--trust <by>', '$ functionfuse plan pipeline.ts --storage ./store'],
    ],
    [
      'ls',
      'Usage: functionfuse ls [options] <storage> [workflow] [glob]',
      ['--verbose', '$ functionfuse ls ./store'],
    ],
    [
      'show',
      'Usage: functionfuse show [options] <storage> <workflow> <node>',
      ['--verbose', '$ functionfuse show ./store demo train'],
    ],
  ])('describes %s, its arguments and options', async (command, usage, mentions) => {
    for (const args of [
      [command, '--help'],
      ['help', command],
    ]) {
      const outcome = await runFunctionfuse(args);
      expect(outcome.code).toBe(0);
      expect(outcome.stderr).toBe('');
      expect(outcome.stdout.split('\n')[0]).toBe(usage);
      for (const mention of mentions) expect(outcome.stdout).toContain(mention);
    }
  });

  it('prints the version of the package', async () => {
    const outcome = await runFunctionfuse(['--version']);
    expect(outcome).toEqual({ code: 0, signal: null, stdout: '0.1.0\n', stderr: '' });
  });
});
