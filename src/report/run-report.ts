/**
 * The HTML run report: one self-contained page (inline SVG and CSS, no script, nothing
 * fetched) with the graph coloured by outcome, a timeline per thread and a table of nodes.
 * A file that can be mailed, attached to a CI run or opened years later.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Node } from '../graph/node.js';
import { toDot } from '../graph-drawing/dot.js';
import { NODE_OUTCOMES, type NodeOutcome } from '../graph-drawing/drawing-model.js';
import { renderSvg } from '../graph-drawing/render-svg.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import { staleReasonText } from '../storage/cache-key.js';
import type { NodeRecord, RunRecording } from '../trace/run-recorder.js';
import { escapeMarkup, formatBytes, formatMs } from './html-text.js';
import { reportStyle } from './report-style.js';
import { renderTimeline } from './timeline-svg.js';

/**
 * Options of {@link renderRunReport}.
 *
 * @example
 * await renderRunReport(recording, { backend: 'ThreadWorkflow (4 threads)' });
 */
export interface RunReportOptions {
  /** Shown in the summary line, e.g. `ThreadWorkflow (4 threads)`. */
  readonly backend?: string;
}

/**
 * The report page for a recorded run. The graph is laid out by Graphviz (WebAssembly, no system
 * binary); each node's SVG group has class `node <outcome>` and its node's name as `<title>`,
 * so the page can be checked, and hovered, by name. Nodes that never ran are `skipped`.
 *
 * @example
 * const recorder = new RunRecorder(wf);
 * await wf.run();
 * writeFileSync('run.html', await renderRunReport(recorder.recording()));
 */
export async function renderRunReport(
  recording: RunRecording,
  options: RunReportOptions = {},
): Promise<string> {
  refuseUnknownKeys(options, ['backend'], 'run report option');
  const { nodes } = recording;
  const outcomeOf = new Map<Node, NodeOutcome>(nodes.map((record) => [record.node, record.outcome]));
  const drawnNodes = nodes.map((record) => record.node);
  const graphSvg =
    drawnNodes.length === 0
      ? '<p class="empty">The workflow has no nodes.</p>'
      : nameNodeTitles(
          inlineSvg(
            await renderSvg(
              toDot(drawnNodes, { title: recording.workflowName, nodeClass: (node) => outcomeOf.get(node) }),
            ),
          ),
          drawnNodes,
        );
  const name = escapeMarkup(recording.workflowName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>functionfuse run: ${name}</title>
<style>${reportStyle()}</style>
</head>
<body>
<header>
<h1>Run of <code>${name}</code></h1>
<p class="summary">${escapeMarkup(summary(recording, options))}</p>
<ul class="legend">${NODE_OUTCOMES.map((outcome) => `<li><span class="swatch ${outcome}"></span>${outcome} (${count(nodes, outcome)})</li>`).join('')}${staleLegend(nodes)}</ul>
</header>
<section id="graph">
<h2>Graph</h2>
<div class="graph">
${graphSvg}
</div>
</section>
<section id="timeline">
<h2>Timeline per thread</h2>
${renderTimeline(recording)}
</section>
<section id="nodes">
<h2>Nodes</h2>
${nodeTable(recording)}
</section>
<footer>Written by functionfuse on ${escapeMarkup(new Date().toISOString())}.</footer>
</body>
</html>
`;
}

/**
 * Writes {@link renderRunReport}'s page to `file`, creating its folder.
 *
 * @example
 * await writeRunReport('out/run.html', recorder.recording(), { backend: 'LocalWorkflow' });
 */
export async function writeRunReport(
  file: string,
  recording: RunRecording,
  options: RunReportOptions = {},
): Promise<void> {
  const html = await renderRunReport(recording, options);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, html);
}

/** Graphviz returns a standalone document; inline SVG in HTML must not carry its prolog. */
function inlineSvg(document: string): string {
  const start = document.indexOf('<svg');
  return start === -1 ? document : document.slice(start);
}

/**
 * Graphviz titles node groups with their DOT ids (`n0`, `n1`: ids never carry user text, so
 * they need no escaping); the report titles them with the node names instead, which browsers
 * show on hover and which tests can query. Ids follow the order the nodes were drawn in.
 */
function nameNodeTitles(svg: string, drawnNodes: readonly Node[]): string {
  const nameOf = (index: string) => drawnNodes[Number(index)]?.name;
  return svg
    .replace(
      /(<g id="node\d+" class="node[^"]*">\s*<title>)n(\d+)(<\/title>)/g,
      (whole, open: string, index: string, close: string) => {
        const name = nameOf(index);
        return name === undefined ? whole : `${open}${escapeMarkup(name)}${close}`;
      },
    )
    .replace(/<title>n(\d+)&#45;&gt;n(\d+)<\/title>/g, (whole, from: string, to: string) => {
      const [fromName, toName] = [nameOf(from), nameOf(to)];
      return fromName === undefined || toName === undefined
        ? whole
        : `<title>${escapeMarkup(fromName)} \u2192 ${escapeMarkup(toName)}</title>`;
    });
}

function summary(recording: RunRecording, options: RunReportOptions): string {
  const parts = [`${recording.nodes.length} nodes`];
  if (options.backend !== undefined) parts.push(`on ${options.backend}`);
  if (recording.startedAt > 0) parts.push(`started ${new Date(recording.startedAt).toISOString()}`);
  parts.push(recording.finished ? `took ${formatMs(recording.durationMs)}` : 'did not finish');
  const failed = count(recording.nodes, 'failed');
  if (recording.status === 'cancelled') {
    parts.push(`cancelled (${count(recording.nodes, 'cancelled')} nodes stopped or not started)`);
    if (failed > 0) parts.push(`${failed} failed`);
  } else {
    parts.push(failed === 0 ? 'no failure' : `${failed} failed`);
  }
  const retries = recording.nodes.reduce((total, record) => total + record.retryErrors.length, 0);
  if (retries > 0) parts.push(`${retries} ${retries === 1 ? 'retry' : 'retries'}`);
  return parts.join(', ');
}

function count(nodes: readonly NodeRecord[], outcome: NodeOutcome): number {
  return nodes.filter((record) => record.outcome === outcome).length;
}

/** The outcome, and for a node whose stored result was stale, what changed. */
function outcomeCell(record: NodeRecord): string {
  if (record.stale.length === 0) return record.outcome;
  return `${record.outcome}<br>stale: ${record.stale.map((reason) => staleReasonText[reason]).join(', ')}`;
}

/** A legend entry for stale nodes (they ran again), when there are any. */
function staleLegend(nodes: readonly NodeRecord[]): string {
  const stale = nodes.filter((record) => record.stale.length > 0).length;
  return stale === 0 ? '' : `<li>stale, ran again (${stale})</li>`;
}

/** The node's failure, after the failures of its retried attempts, one per line. */
function errorCell(record: NodeRecord): string {
  const lines = record.retryErrors.map(
    (error, position) => `attempt ${position + 1}: ${escapeMarkup(error)}`,
  );
  if (record.error !== undefined) lines.push(escapeMarkup(record.error));
  return lines.join('<br>');
}

/** Where a node ran: `main`, a worker's threadId, or a cluster worker's id and its threadId. */
function threadCell({ worker, threadId }: NodeRecord): string {
  if (threadId === undefined) return '';
  if (worker !== undefined) return escapeMarkup(`${worker}:${threadId}`);
  return threadId === 0 ? 'main' : String(threadId);
}

function nodeTable(recording: RunRecording): string {
  const header =
    '<tr><th>node</th><th>outcome</th><th>thread</th><th class="number">start</th>' +
    '<th class="number">duration</th><th class="number">wait</th><th class="number">bytes moved</th>' +
    '<th class="number">attempts</th><th>error</th></tr>';
  const rows = recording.nodes.map((record) => {
    const start = record.startedAt === undefined ? '' : formatMs(record.startedAt - recording.startedAt);
    const thread = threadCell(record);
    const cells = [
      `<td><code>${escapeMarkup(record.name)}</code></td>`,
      `<td class="outcome">${outcomeCell(record)}</td>`,
      `<td>${thread}</td>`,
      `<td class="number">${start}</td>`,
      `<td class="number">${record.durationMs === undefined ? '' : formatMs(record.durationMs)}</td>`,
      `<td class="number">${record.waitMs === undefined ? '' : formatMs(record.waitMs)}</td>`,
      `<td class="number">${record.bytesMoved === undefined ? '' : formatBytes(record.bytesMoved)}</td>`,
      `<td class="number">${record.attempts === 0 ? '' : record.attempts}</td>`,
      `<td class="error">${errorCell(record)}</td>`,
    ];
    return `<tr class="${record.outcome}${record.stale.length > 0 ? ' stale' : ''}">${cells.join('')}</tr>`;
  });
  return `<table>\n<thead>${header}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}
