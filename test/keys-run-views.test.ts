/** Stale results in the views of a run: the progress line counts them, the report marks them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { FileStorage, LocalWorkflow, RunRecorder, renderRunReport } from 'functionfuse';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgressReporter } from '../src/progress/progress-reporter.js';
import { minus, sum } from './fixtures/tasks.js';

describe('a run with stale stored results', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'functionfuse-stale-views-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('counts them in the progress line and marks them, with what changed, in the report', async () => {
    const storage = new FileStorage(folder);
    const build = (addend: number) => {
      const base = sum(1, 1).setName('base');
      return minus(sum(base, addend).setName('added'), 1).setName('less');
    };
    await new LocalWorkflow(build(1), { workflowName: 'views' }).setStorage(storage).run();

    const wf = new LocalWorkflow(build(5), { workflowName: 'views' }).setStorage(storage);
    let written = '';
    const stream = new Writable({
      write(chunk, _encoding, done) {
        written += String(chunk);
        done();
      },
    });
    const progress = new ProgressReporter(wf, { stream, mode: 'lines', intervalMs: 60_000 });
    const recorder = new RunRecorder(wf, { failedThreadId: 0 });
    expect(await wf.run()).toBe(6);
    progress.stop();
    expect(written.split('\n').filter(Boolean).at(-1)).toMatch(
      /^functionfuse: views: finished, 3\/3 nodes done, 0 failed, 1 cached, 0 skipped, 2 stale in \d+\.\d s$/,
    );
    expect(recorder.recording().nodes.map((node) => [node.name, node.outcome, node.stale])).toEqual([
      ['base', 'cached', []],
      ['added', 'ran', ['arguments-changed']],
      ['less', 'ran', ['input-changed']],
    ]);
    const html = await renderRunReport(recorder.recording(), { backend: 'LocalWorkflow' });
    expect(html).toContain(
      '<tr class="ran stale"><td><code>added</code></td><td class="outcome">ran<br>stale: arguments changed</td>',
    );
    expect(html).toContain(
      '<tr class="ran stale"><td><code>less</code></td><td class="outcome">ran<br>stale: an input node changed</td>',
    );
    expect(html).toContain('<tr class="cached"><td><code>base</code></td><td class="outcome">cached</td>');
    expect(html).toContain('<li>stale, ran again (2)</li>');
  });
});
