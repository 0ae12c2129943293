/**
 * `functionfuse plan`: what a run would do with a storage folder, for each change the cache
 * keys see, printed without running anything.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage } from 'functionfuse';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliOutcome, runFunctionfuse } from './fixtures/cli-process.js';
import { type KeysParams, keysPipelineSource } from './fixtures/keys-pipeline.js';

describe('functionfuse plan', () => {
  let folder: string;
  let modulePath: string;
  let store: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'functionfuse-plan-'));
    modulePath = join(folder, 'pipeline.mjs');
    store = join(folder, 'store');
    writeFileSync(modulePath, keysPipelineSource());
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const withParams = (params: KeysParams) => ({ env: { FUNCTIONFUSE_KEYS_PARAMS: JSON.stringify(params) } });
  const plan = (params: KeysParams = {}, ...extra: string[]) =>
    runFunctionfuse(['plan', modulePath, '--storage', store, ...extra], withParams(params));
  const runOnce = async (params: KeysParams = {}) => {
    const outcome = await runFunctionfuse(
      ['run', modulePath, '--backend', 'local', '--storage', store, '--no-progress'],
      withParams(params),
    );
    expect(outcome.code).toBe(0);
  };
  const printed = (...lines: string[]): CliOutcome => ({
    code: 0,
    signal: null,
    stdout: `${lines.join('\n')}\n`,
    stderr: '',
  });

  it('plans every node as missing on an empty store, and runs nothing', async () => {
    expect(await plan()).toEqual(
      printed(
        `Workflow "keys" in ${store}: 6 of 6 nodes would run.`,
        '  missing  load',
        '  missing  noise',
        '  missing  square',
        '  missing  plain total',
        '  missing  total',
        '  missing  report',
        'Would run: load, noise, square, plain total, total, report',
      ),
    );
    expect(await new FileStorage(store).listTasks('keys')).toEqual([]);
  });

  it('plans nothing after a run with nothing changed', async () => {
    await runOnce();
    expect((await plan()).stdout).toBe(
      [
        `Workflow "keys" in ${store}: 0 of 6 nodes would run.`,
        '  cached  load',
        '  cached  noise',
        '  cached  square',
        '  cached  plain total',
        '  cached  total',
        '  cached  report',
        'Would run: nothing',
        '',
      ].join('\n'),
    );
  });

  it('names an edited task and its descendants as stale, with what changed', async () => {
    await runOnce();
    writeFileSync(modulePath, keysPipelineSource('return values.map((value) => value + 1);'));
    expect(await plan()).toEqual(
      printed(
        `Workflow "keys" in ${store}: 3 of 6 nodes would run.`,
        '  cached  load',
        '  cached  noise',
        '  stale   square       code changed',
        '  cached  plain total',
        '  stale   total        an input node changed',
        '  stale   report       an input node changed',
        'Would run: square, total, report',
      ),
    );
  });

  it.each([
    [
      'a changed literal',
      { options: { scale: 5, label: 'x' } },
      ['total', 'arguments changed'],
      ['square', 'plain total', 'load', 'noise'],
    ],
    ['a changed seed', { seed: 9 }, ['noise', 'seed changed'], ['load', 'square', 'plain total', 'total']],
    ['a changed parent', { n: 9 }, ['load', 'arguments changed'], ['noise']],
  ] as const)('names the node of %s and its descendants', async (_, params, [changed, why], unchanged) => {
    await runOnce();
    const lines = (await plan(params)).stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  stale +${changed} +${why}$`)));
    for (const name of unchanged)
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  cached +${name}$`)));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}stale +report +an input node changed$/));
  });

  it('plans nothing for reordered object keys in an argument', async () => {
    await runOnce({ options: { scale: 2, label: 'x' } });
    expect((await plan({ options: { label: 'x', scale: 2 } })).stdout).toContain('Would run: nothing\n');
  });

  it('names a record from before keys', async () => {
    await runOnce();
    await new FileStorage(store).save('keys', 'noise', 3);
    expect((await plan()).stdout.split('\n').slice(1, 3)).toEqual([
      '  cached  load',
      '  stale   noise        written before keys',
    ]);
  });

  it('trusts every stored result with --trust name, and says so', async () => {
    await runOnce();
    writeFileSync(modulePath, keysPipelineSource('return values.map((value) => value + 1);'));
    const trusted = await plan({ n: 9, seed: 9 }, '--trust', 'name');
    expect(trusted.stdout.split('\n')[0]).toBe(
      `Workflow "keys" in ${store} (stored results trusted by name): 0 of 6 nodes would run.`,
    );
    expect(trusted.stdout).toContain('Would run: nothing\n');
  });
});
