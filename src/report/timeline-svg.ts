/**
 * The report's timeline: one row per thread, one bar per node, drawn as plain SVG so the page
 * needs no script or library to show it.
 */
import type { NodeRecord, RunRecording } from '../trace/run-recorder.js';
import { type ThreadTrack, threadTracks, trackKeyOf } from '../trace/thread-tracks.js';
import { escapeMarkup, formatBytes, formatMs } from './html-text.js';

const width = 1000;
const labelWidth = 150;
const rowHeight = 30;
const barHeight = 20;
const axisHeight = 24;
/** Average width of a 11px label character: a name is written in its bar only if it fits. */
const characterWidth = 6.6;

/**
 * An SVG timeline of a recorded run: a row per thread (main thread first, then workers by
 * id, then each cluster worker's threads: trace/thread-tracks.ts), a bar per node that ran, was read from storage or failed, coloured by outcome (classes
 * `ran`, `cached`, `failed`, `cancelled`), a grey bar (class `startup`) per start-up step of a
 * worker thread (its start, a task module's import) before the node that waited for it, each with a tooltip giving its name, duration, wait and bytes
 * moved, and a time axis in milliseconds from the start of the run.
 *
 * @example
 * const svg = renderTimeline(recorder.recording());
 * // '<svg class="timeline" viewBox="0 0 1000 ..." ...>...</svg>'
 */
export function renderTimeline(recording: RunRecording): string {
  const bars = recording.nodes.filter((record) => record.startedAt !== undefined);
  if (bars.length === 0) return '<p class="empty">No node ran in this run.</p>';
  // Rows as the trace's tracks; the main thread's only when something ran there.
  const threads = threadTracks(bars).filter(
    (track) => track.key !== trackKeyOf({ worker: undefined, threadId: 0 }) || bars.some(ranInMainThread),
  );
  const span = Math.max(
    recording.durationMs,
    ...bars.map((record) => endOf(record, recording.startedAt)),
    // A run of instant nodes still gets a visible axis.
    0.001,
  );
  const scale = (width - labelWidth - 10) / span;
  const height = axisHeight + threads.length * rowHeight + 4;
  const rowOf = new Map(threads.map((thread, row) => [thread.key, row]));

  const parts = [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Timeline of the run per thread">`,
  ];
  parts.push(...axis(span, scale, height));
  threads.forEach((thread, row) => {
    const y = axisHeight + row * rowHeight;
    parts.push(
      `<text class="thread" x="4" y="${y + rowHeight / 2 + 4}">${escapeMarkup(rowLabel(thread))}</text>`,
      `<line class="row" x1="${labelWidth}" x2="${width}" y1="${y + rowHeight}" y2="${y + rowHeight}"/>`,
    );
  });
  for (const record of bars) {
    const row = rowOf.get(trackKeyOf(record)) as number;
    for (const step of record.startup) {
      // A thread may start just before the run's first event: its bar starts at the axis.
      const stepX = labelWidth + Math.max(0, step.startedAt - recording.startedAt) * scale;
      const y = axisHeight + row * rowHeight + (rowHeight - barHeight) / 2;
      parts.push(
        `<g class="bar startup" data-before="${escapeMarkup(record.name)}">`,
        `<title>${escapeMarkup(`start-up: ${step.label}, ${formatMs(step.durationMs)}, before ${record.name}`)}</title>`,
        `<rect x="${fixed(stepX)}" y="${y}" width="${fixed(Math.max(1, step.durationMs * scale))}" height="${barHeight}" rx="2"/>`,
        '</g>',
      );
    }
    const x = labelWidth + ((record.startedAt as number) - recording.startedAt) * scale;
    // Sub-pixel nodes still get a sliver, or a run of tiny nodes would look empty.
    const barWidth = Math.max(1, (record.durationMs ?? 0) * scale);
    const y = axisHeight + row * rowHeight + (rowHeight - barHeight) / 2;
    parts.push(
      `<g class="bar ${record.outcome}" data-node="${escapeMarkup(record.name)}">`,
      `<title>${escapeMarkup(tooltip(record))}</title>`,
      `<rect x="${fixed(x)}" y="${y}" width="${fixed(barWidth)}" height="${barHeight}" rx="2"/>`,
    );
    if (record.name.length * characterWidth + 6 < barWidth) {
      parts.push(
        `<text x="${fixed(x + 3)}" y="${y + barHeight / 2 + 4}">${escapeMarkup(record.name)}</text>`,
      );
    }
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function ranInMainThread(record: NodeRecord): boolean {
  return record.worker === undefined && record.threadId === 0;
}

/** The track's label; the row of failed nodes whose thread is unknown is short, to fit. */
function rowLabel(track: ThreadTrack): string {
  return track.threadId === undefined ? 'failed (thread ?)' : track.label;
}

function endOf(record: NodeRecord, runStart: number): number {
  return (record.startedAt as number) - runStart + (record.durationMs ?? 0);
}

function tooltip(record: NodeRecord): string {
  const lines = [
    `${record.name} (${record.outcome})`,
    `duration ${formatMs(record.durationMs ?? 0)}`,
    `wait ${formatMs(record.waitMs ?? 0)}`,
    `bytes moved ${formatBytes(record.bytesMoved ?? 0)}`,
  ];
  if (record.error !== undefined) lines.push(`error: ${record.error}`);
  return lines.join(', ');
}

function axis(span: number, scale: number, height: number): string[] {
  const step = tickStep(span);
  const parts: string[] = [];
  // Multiplying rather than adding keeps labels exact (no 0.30000000000000004 ms).
  for (let tick = 0; tick * step <= span * 1.0001; tick++) {
    const time = tick * step;
    const x = fixed(labelWidth + time * scale);
    parts.push(
      `<line class="tick" x1="${x}" x2="${x}" y1="${axisHeight - 6}" y2="${height}"/>`,
      `<text class="tick" x="${x}" y="${axisHeight - 10}" text-anchor="middle">${formatMs(time)}</text>`,
    );
  }
  return parts;
}

/** A round step (1, 2 or 5 times a power of ten ms) giving at most ten ticks. */
function tickStep(span: number): number {
  const rough = span / 10;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const multiple of [1, 2, 5, 10]) {
    if (power * multiple >= rough) return power * multiple;
  }
  return power * 10;
}

function fixed(value: number): string {
  return value.toFixed(2);
}
