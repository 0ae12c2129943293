/**
 * The text `functionfuse bench` prints on stdout: a heading naming the pipeline and the
 * machine, the table of rows, the cold first runs on a line of their own, and, when asked, the
 * slowest nodes and the comparison with an earlier file.
 */
import type { BenchComparison } from '../benchmark/bench-comparison.js';
import type { BenchReport } from '../benchmark/bench-report.js';

/** How many nodes `--nodes` lists. */
export const slowestNodeCount = 10;

/**
 * The whole text, ending in a newline.
 *
 * @example
 * process.stdout.write(formatBenchReport(report, undefined));
 */
export function formatBenchReport(
  report: BenchReport,
  comparison: readonly BenchComparison[] | undefined,
): string {
  const { machine } = report;
  const lines = [
    `${report.pipeline} on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}: warm runs, storage off`,
    '',
  ];
  if (report.rows.length === 0) {
    lines.push('no row was measured');
  } else {
    const header = ['backend', 'threads', 'mean', 'median', 'p99', '± rme', 'samples', 'speedup'];
    const rows = report.rows.map((row, index) => {
      const cells = [
        row.backend,
        row.threads === undefined ? '-' : String(row.threads),
        formatMs(row.latency.mean),
        formatMs(row.latency.p50),
        formatMs(row.latency.p99),
        Number.isFinite(row.latency.rme) ? `${row.latency.rme.toFixed(1)} %` : '∞',
        String(row.latency.samplesCount),
        row.speedup === undefined ? '-' : `${row.speedup.toFixed(2)} ×`,
      ];
      return comparison === undefined ? cells : [...cells, describeComparison(comparison[index])];
    });
    const headers = comparison === undefined ? header : [...header, 'vs earlier'];
    lines.push(...renderTable(headers, rows, [0, 1]));
    lines.push(
      '',
      `cold first runs (not in the statistics): ${report.rows.map((row) => `${row.label} ${formatMs(row.coldMs)}`).join(', ')}`,
    );
    if (report.rows.some((row) => row.nodes !== undefined)) lines.push('', ...slowestNodes(report));
  }
  if (report.interrupted) lines.push('', 'interrupted: rows not reached, or without a warm run, are missing');
  return `${lines.join('\n')}\n`;
}

/**
 * A duration with three significant digits in a unit that suits it. The unit is chosen after
 * rounding, so 999.96 ms reads 1.00 s, never 1.00e+3 ms.
 *
 * @example
 * formatMs(0.0123);  // '12.3 µs'
 * formatMs(1234);    // '1.23 s'
 */
export function formatMs(ms: number): string {
  if (ms * 1000 < 999.5) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 999.5) return `${ms.toPrecision(3)} ms`;
  const seconds = ms / 1000;
  return seconds < 999.5 ? `${seconds.toPrecision(3)} s` : `${Math.round(seconds)} s`;
}

function describeComparison(comparison: BenchComparison | undefined): string {
  if (comparison === undefined || comparison.changePercent === undefined) return 'new';
  const change = `${comparison.changePercent >= 0 ? '+' : '−'}${Math.abs(comparison.changePercent).toFixed(1)} %`;
  return comparison.verdict === 'same' ? `${change} (within margin)` : `${change} ${comparison.verdict}`;
}

/** The slowest nodes of the first row with node timings, and their medians on every row. */
function slowestNodes(report: BenchReport): string[] {
  const timed = report.rows.filter((row) => row.nodes !== undefined);
  const names = (timed[0]?.nodes ?? []).slice(0, slowestNodeCount).map((node) => node.name);
  const rows = names.map((name) => [
    name,
    ...timed.map((row) => {
      const node = row.nodes?.find((each) => each.name === name);
      return node === undefined ? '-' : formatMs(node.medianMs);
    }),
  ]);
  return [
    `slowest nodes (median over the warm runs, by ${timed[0]?.label ?? ''})`,
    ...renderTable(['node', ...timed.map((row) => row.label)], rows, [0]),
  ];
}

/** Columns two spaces apart; the columns in `leftAligned` padded on the right, the others on the left. */
function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  leftAligned: readonly number[],
): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? cell.length;
        return leftAligned.includes(column) ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)];
}
