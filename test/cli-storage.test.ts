/** `run --storage`, `ls` and `show`, with FileStorage. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFunctionfuse } from './fixtures/cli-process.js';

const pipeline = 'test/fixtures/cli-pipeline.ts';
const folder = mkdtempSync(join(tmpdir(), 'functionfuse-cli-storage-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const expectedResult = `[
  13,
  { "total": 46, "count": 12 },
  { "$type": "Float64Array", "values": [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5] }
]
`;

describe('with FileStorage', () => {
  const store = join(folder, 'store');

  it.each([
    ['local', ['--backend', 'local'], store],
    ['threads', ['--threads', '2'], join(folder, 'threads-store')],
  ])(
    'stores results on the first run and reads them all on the second (%s)',
    async (backend, args, storeOfRun) => {
      const first = await runFunctionfuse(['run', pipeline, ...args, '--storage', storeOfRun]);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe(expectedResult);
      expect(first.stderr).toMatch(/finished, 4\/4 nodes done, 0 failed, 0 cached, 0 skipped in/);

      const trace = join(folder, `second-${backend}.json`);
      const second = await runFunctionfuse([
        'run',
        pipeline,
        ...args,
        '--storage',
        storeOfRun,
        '--trace',
        trace,
      ]);
      expect(second.code).toBe(0);
      expect(second.stdout).toBe(expectedResult);
      expect(second.stderr).toMatch(/finished, 4\/4 nodes done, 0 failed, 4 cached, 0 skipped in/);
      const { traceEvents } = JSON.parse(readFileSync(trace, 'utf8')) as {
        traceEvents: { ph: string; name: string; cat?: string; args?: { cached?: boolean } }[];
      };
      const slices = traceEvents.filter((event) => event.ph === 'X');
      expect(slices.map((slice) => [slice.name, slice.cat, slice.args?.cached])).toEqual([
        ['first', 'cached', true],
        ['ramp', 'cached', true],
        ['second', 'cached', true],
        ['summary', 'cached', true],
      ]);
    },
  );

  it('lists stored results, all or by glob, with their key prefix and write time', async () => {
    const listed = await runFunctionfuse(['ls', store, 'cli-demo']);
    expect({ ...listed, stdout: '' }).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    const written = String.raw`[0-9a-f]{8}  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;
    expect(listed.stdout.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^first    ${written}$`)),
      expect.stringMatching(new RegExp(`^ramp     ${written}$`)),
      expect.stringMatching(new RegExp(`^second   ${written}$`)),
      expect.stringMatching(new RegExp(`^summary  ${written}$`)),
      '',
    ]);
    const some = (await runFunctionfuse(['ls', store, 'cli-demo', 's*'])).stdout;
    expect(some.split('\n').map((line) => line.split(' ')[0])).toEqual(['second', 'summary', '']);
  });

  it('lists the stored workflows when no workflow is named', async () => {
    expect(await runFunctionfuse(['ls', store])).toEqual({
      code: 0,
      signal: null,
      stdout: 'cli-demo\n',
      stderr: '',
    });
  });

  it('says there is no such workflow, naming those stored, and exits with 1', async () => {
    expect(await runFunctionfuse(['ls', store, 'nowf'])).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr:
        `functionfuse: No workflow "nowf" is stored in ${store} (it holds "cli-demo"): ` +
        `check the name, or list them with functionfuse ls ${store}.\n`,
    });
  });

  it('summarises a stored typed array and a stored object', async () => {
    expect((await runFunctionfuse(['show', store, 'cli-demo', 'ramp'])).stdout).toBe(
      'cli-demo / ramp\ntype: Float64Array\nlength: 12\nfirst values: 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, …\n',
    );
    expect((await runFunctionfuse(['show', store, 'cli-demo', 'summary'])).stdout).toBe(
      'cli-demo / summary\ntype: Object\nfields: 2\n  total: number 46\n  count: number 12\n',
    );
  });

  it('says which workflows a folder holds when show is given one it does not (exit code 1, as ls)', async () => {
    const store = join(folder, 'store');
    expect(await runFunctionfuse(['show', store, 'cli-dmeo', 'ramp'])).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr:
        `functionfuse: No workflow "cli-dmeo" is stored in ${store} (it holds "cli-demo"): check the name, ` +
        `or list them with functionfuse ls ${store}.\n`,
    });
  });

  it.each([
    [
      ['show', join(folder, 'store'), 'cli-demo', 'nope'],
      `functionfuse: No result of node "nope" is stored for workflow "cli-demo" in ${join(folder, 'store')}: list them with functionfuse ls ${join(folder, 'store')} cli-demo.`,
    ],
    [
      ['ls', join(folder, 'missing'), 'cli-demo'],
      `functionfuse: No storage folder at "${join(folder, 'missing')}": check the path.`,
    ],
  ])('refuses %j with exit code 2 and one line', async (args, line) => {
    expect(await runFunctionfuse(args)).toEqual({ code: 2, signal: null, stdout: '', stderr: `${line}\n` });
  });
});
