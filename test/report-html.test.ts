/**
 * The HTML report's content, read from the file itself: the same facts report-browser.test.ts
 * checks in Chromium (node outcomes in the graph, a timeline bar per node, a row per node,
 * nothing fetched), so they are checked on a machine without a browser too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFunctionfuse } from './fixtures/cli-process.js';

const folder = mkdtempSync(join(tmpdir(), 'functionfuse-report-html-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const unescapeMarkup = (text: string) =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&amp;', '&');

/** What the page shows, read with patterns that follow run-report.ts and timeline-svg.ts. */
function readReport(file: string) {
  const html = readFileSync(file, 'utf8');
  const graph = html.slice(html.indexOf('<section id="graph">'), html.indexOf('<section id="timeline">'));
  const timeline = html.slice(html.indexOf('<section id="timeline">'), html.indexOf('<section id="nodes">'));
  const table = html.slice(html.indexOf('<section id="nodes">'));
  const nodes = [...graph.matchAll(/<g id="node\d+" class="node ([\w-]+)">\s*<title>([^<]*)<\/title>/g)].map(
    ([, outcome, name]) => ({ name: unescapeMarkup(name as string), outcome }),
  );
  const namesWith = (outcome: string) =>
    nodes.filter((node) => node.outcome === outcome).map((node) => node.name);
  return {
    html,
    nodeTitles: nodes.map((node) => node.name),
    ran: namesWith('ran'),
    failed: namesWith('failed'),
    skipped: namesWith('skipped'),
    bars: [...timeline.matchAll(/<g class="(bar [\w-]+)" data-node="([^"]*)">/g)].map(
      ([, outcome, node]) => ({
        node: unescapeMarkup(node as string),
        outcome,
      }),
    ),
    threads: [...timeline.matchAll(/<text class="thread"[^>]*>([^<]*)<\/text>/g)].map(
      ([, thread]) => thread ?? '',
    ),
    rows: [
      ...table.matchAll(/<tr class="[\w-]+"><td><code>([^<]*)<\/code><\/td><td class="outcome">([\w-]+)</g),
    ].map(([, node, outcome]) => [unescapeMarkup(node as string), outcome]),
  };
}

describe('--report (HTML) content', () => {
  it('shows every node of a run on threads as ran, with a bar per node on worker-thread tracks', async () => {
    const report = join(folder, 'run.html');
    const outcome = await runFunctionfuse([
      'run',
      'test/fixtures/cli-pipeline.ts',
      '--threads',
      '2',
      '--no-progress',
      '--report',
      report,
    ]);
    expect(outcome.code).toBe(0);
    const seen = readReport(report);
    const names = ['first', 'ramp', 'second', 'summary'];
    expect(seen.html).toContain('<title>functionfuse run: cli-demo</title>');
    expect(seen.nodeTitles.toSorted()).toEqual(names);
    expect(seen.ran.toSorted()).toEqual(names);
    expect(seen.bars.map((bar) => bar.node).toSorted()).toEqual(names);
    expect(seen.bars.every((bar) => bar.outcome === 'bar ran')).toBe(true);
    expect(seen.threads.length).toBeGreaterThanOrEqual(1);
    expect(seen.threads.every((thread) => /^worker thread \d+$/.test(thread))).toBe(true);
    expect(seen.rows).toEqual(names.map((name) => [name, 'ran']));
    // Self-contained: no script, nothing to fetch, and a policy that forbids fetching anyway.
    expect(seen.html).not.toMatch(/<script|<link|<img|\ssrc=|\shref="(?!#)/);
    expect(seen.html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  it('shows the failed node as failed and the main thread as the only track (local)', async () => {
    const report = join(folder, 'failed.html');
    const outcome = await runFunctionfuse([
      'run',
      'test/fixtures/cli-failing.ts',
      '--backend',
      'local',
      '--no-progress',
      '--report',
      report,
    ]);
    expect(outcome.code).toBe(1);
    const seen = readReport(report);
    expect(seen.ran).toEqual(['start']);
    expect(seen.failed).toEqual(['explode']);
    expect(seen.skipped).toEqual([]);
    expect(seen.bars).toEqual([
      { node: 'start', outcome: 'bar ran' },
      { node: 'explode', outcome: 'bar failed' },
    ]);
    expect(seen.threads).toEqual(['main thread']);
    expect(seen.rows).toEqual([
      ['start', 'ran'],
      ['explode', 'failed'],
    ]);
  });
});
