/**
 * Progress lines, the HTML report and the trace agree on how a run ended: cancelled nodes are
 * cancelled, retries are shown with their errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LocalWorkflow, RunRecorder, renderRunReport, toChromeTrace } from 'functionfuse';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgressReporter } from '../src/progress/progress-reporter.js';
import { flaky, sleep } from './fixtures/reliability-tasks.js';
import { record, sum } from './fixtures/tasks.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function folder(): string {
  const path = mkdtempSync(join(tmpdir(), 'functionfuse-progress-'));
  folders.push(path);
  return path;
}

function lines(): { stream: Writable; text: () => string[] } {
  let written = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written += String(chunk);
      done();
    },
  });
  return { stream, text: () => written.split('\n').filter(Boolean) };
}

describe('a cancelled run', () => {
  it('ends its progress with "cancelled", and the report marks stopped nodes as cancelled', async () => {
    const log = join(folder(), 'log');
    const done = sum(1, 1).setName('done');
    const slow = sleep(30_000, log, 'slow').setName('slow');
    const after = record(log, 'after', slow).setName('after');
    const wf = new LocalWorkflow([done, after], { workflowName: 'stopped' });
    const output = lines();
    const progress = new ProgressReporter(wf, { stream: output.stream, mode: 'lines', intervalMs: 60_000 });
    const recorder = new RunRecorder(wf, { failedThreadId: 0 });
    const controller = new AbortController();
    wf.on('node-started', (event) => {
      if (event.node === 'slow') setTimeout(() => controller.abort(new Error('stop')), 20);
    });
    await expect(wf.run({ signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    progress.stop();
    expect(output.text().at(-1)).toMatch(
      /^functionfuse: stopped: cancelled, 1\/3 nodes done, 0 failed, 0 cached, 0 skipped, 2 cancelled in \d+\.\d s$/,
    );
    const html = await renderRunReport(recorder.recording(), { backend: 'LocalWorkflow' });
    expect(html).toContain('cancelled (2 nodes stopped or not started)');
    expect(html).not.toContain('no failure');
    expect(html).toContain(
      '<tr class="cancelled"><td><code>slow</code></td><td class="outcome">cancelled</td>',
    );
    expect(html).toContain(
      '<tr class="cancelled"><td><code>after</code></td><td class="outcome">cancelled</td>',
    );
    expect(html).toContain('<li><span class="swatch cancelled"></span>cancelled (2)</li>');
  });
});

describe('a retried node', () => {
  it('shows its attempts and their errors in progress, report and trace', async () => {
    const counter = join(folder(), 'count');
    const node = flaky(counter, 2, 7).setName('flaky');
    const wf = new LocalWorkflow(node, { workflowName: 'retried' });
    wf.query('flaky').setOptions({ retries: 2, retryDelay: 1 });
    const output = lines();
    const progress = new ProgressReporter(wf, {
      stream: output.stream,
      mode: 'lines',
      intervalMs: 60_000,
      retryLines: true,
    });
    const recorder = new RunRecorder(wf, { failedThreadId: 0 });
    expect(await wf.run()).toBe(7);
    progress.stop();
    const written = output.text();
    expect(written.slice(0, 2)).toEqual([
      'functionfuse: node "flaky" failed attempt 1 (Error: attempt 1 fails); attempt 2 in 1 ms',
      'functionfuse: node "flaky" failed attempt 2 (Error: attempt 2 fails); attempt 3 in 1 ms',
    ]);
    expect(written.at(-1)).toMatch(
      /^functionfuse: retried: finished, 1\/1 nodes done, 0 failed, 0 cached, 0 skipped, 2 retries in \d+\.\d s$/,
    );
    const html = await renderRunReport(recorder.recording());
    expect(html).toContain('no failure, 2 retries');
    expect(html).toContain(
      '<td class="number">3</td><td class="error">attempt 1: Error: attempt 1 fails<br>attempt 2: Error: attempt 2 fails</td>',
    );
    const slice = toChromeTrace(recorder.recording()).traceEvents.find((event) => event.name === 'flaky');
    expect(slice?.args).toMatchObject({
      attempts: 3,
      retryErrors: ['Error: attempt 1 fails', 'Error: attempt 2 fails'],
    });
  });
});
