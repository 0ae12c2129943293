/**
 * The HTML report in a real browser: Debian's Chromium, driven headless by playwright-core
 * (which never downloads a browser of its own). The screenshot is kept in test-artifacts/ for
 * people and CI to look at. Where Chromium is missing these tests are skipped with one line
 * saying how to install it (CI=true makes it required); report-html.test.ts checks the same
 * page's content without a browser.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot, runFunctionfuse } from './fixtures/cli-process.js';
import { systemProgram } from './support/system-program.js';

const chromiumProgram = systemProgram('chromium', {
  path: '/usr/bin/chromium',
  install: 'apt-get install -y chromium',
});
const screenshotPath = join(repositoryRoot, 'test-artifacts', 'report.png');
let folder: string;
let profile: string;
let browser: BrowserContext;

async function launchChromium(executablePath: string): Promise<void> {
  folder = mkdtempSync(join(tmpdir(), 'functionfuse-report-'));
  profile = mkdtempSync(join(tmpdir(), 'functionfuse-chromium-profile-'));
  // A persistent context is playwright's way to give Chromium a fresh --user-data-dir of ours.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1200, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

async function closeChromium(): Promise<void> {
  await browser?.close();
  rmSync(folder, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}

/** Opens a report and reads what the page shows, recording every request it makes. */
async function openReport(file: string, screenshot?: string) {
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // Locators rather than page.evaluate: the tests are type-checked without the DOM library.
    const texts = (selector: string) => page.locator(selector).allTextContents();
    // Node bars; a worker's start-up has grey bars of its own (class `startup`).
    const barLocators = await page.locator('#timeline svg g.bar:not(.startup)').all();
    const seen = {
      nodeTitles: await texts('#graph svg g.node > title'),
      ran: await texts('#graph svg g.node.ran > title'),
      failed: await texts('#graph svg g.node.failed > title'),
      skipped: await texts('#graph svg g.node.skipped > title'),
      bars: await Promise.all(
        barLocators.map(async (bar) => ({
          node: await bar.getAttribute('data-node'),
          outcome: await bar.getAttribute('class'),
        })),
      ),
      startupBars: await page.locator('#timeline svg g.bar.startup').count(),
      threads: await texts('#timeline svg text.thread'),
      rows: await texts('#nodes tbody tr td:first-child'),
      graphWidth: (await page.locator('#graph svg').boundingBox())?.width ?? 0,
    };
    if (screenshot !== undefined) {
      mkdirSync(join(screenshot, '..'), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    return { seen, requests };
  } finally {
    await page.close();
  }
}

describe.runIf(chromiumProgram.runs)('--report (HTML) in Chromium', () => {
  beforeAll(() => launchChromium(chromiumProgram.location as string));
  afterAll(closeChromium);

  it('draws every node of a run on threads, coloured as ran, and a timeline per worker thread', async () => {
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
    rmSync(screenshotPath, { force: true });
    const { seen, requests } = await openReport(report, screenshotPath);

    const names = ['first', 'ramp', 'second', 'summary'];
    expect(seen.nodeTitles.toSorted()).toEqual(names);
    expect(seen.ran.toSorted()).toEqual(names);
    expect(seen.graphWidth).toBeGreaterThan(0);
    expect(seen.bars.map((bar) => bar.node).toSorted()).toEqual(names);
    expect(seen.bars.every((bar) => bar.outcome === 'bar ran')).toBe(true);
    // Each worker that ran a node started and imported the pipeline module: two bars per thread.
    expect(seen.startupBars).toBe(2 * seen.threads.length);
    expect(seen.threads.length).toBeGreaterThanOrEqual(1);
    expect(seen.threads.every((thread) => /^worker thread \d+$/.test(thread))).toBe(true);
    expect(seen.rows).toEqual(['first', 'ramp', 'second', 'summary']);
    // Self-contained: the page loads nothing but itself.
    expect(requests).toEqual([pathToFileURL(report).href]);

    const png = readFileSync(screenshotPath);
    expect(png.length).toBeGreaterThan(1000);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('colours the failed node and the nodes that never ran', async () => {
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
    const { seen } = await openReport(report);
    expect(seen.ran).toEqual(['start']);
    expect(seen.failed).toEqual(['explode']);
    expect(seen.skipped).toEqual([]);
    expect(seen.bars).toEqual([
      { node: 'start', outcome: 'bar ran' },
      { node: 'explode', outcome: 'bar failed' },
    ]);
    expect(seen.threads).toEqual(['main thread']);
  });
});
