/**
 * The file of `functionfuse bench --json`, and reading one back for `--compare`: the report
 * benchWorkflow returned, marked as ours, with the module it measured.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { BenchReport } from '../benchmark/bench-report.js';
import { UsageError } from './cli-errors.js';

/** Marks a file as written by `functionfuse bench --json`, in this layout. */
const fileKind = 'functionfuse-bench/1';

/**
 * The JSON file: `kind`, `module` (the pipeline module as given), then the report.
 *
 * @example
 * const file: BenchFile = { kind: 'functionfuse-bench/1', module: 'pipeline.ts', ...report };
 */
export interface BenchFile extends BenchReport {
  readonly kind: typeof fileKind;
  readonly module: string;
}

/**
 * Writes the report as JSON (tinybench's statistics of every row, the machine, the pipeline).
 *
 * @example
 * await writeBenchFile('bench.json', report, 'pipeline.ts');
 */
export async function writeBenchFile(file: string, report: BenchReport, module: string): Promise<void> {
  const content: BenchFile = { kind: fileKind, module, ...report };
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`);
}

/**
 * Reads a file written by `--json` for `--compare`, before anything is measured.
 *
 * @throws {UsageError} naming `--compare` and the file when it is missing, not JSON, or not ours.
 *
 * @example
 * const earlier = readBenchFile('bench.json');
 */
export function readBenchFile(file: string): BenchFile {
  const refuse = (problem: string) =>
    new UsageError(
      `Cannot use --compare ${JSON.stringify(file)}: ${problem}: give a file written by functionfuse bench --json.`,
    );
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw refuse(`it cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch {
    throw refuse('it is not JSON');
  }
  const candidate = content as Partial<BenchFile> | null;
  if (candidate === null || typeof candidate !== 'object' || candidate.kind !== fileKind) {
    throw refuse(`it has no "kind": "${fileKind}"`);
  }
  const rowsValid =
    Array.isArray(candidate.rows) &&
    candidate.rows.every(
      (row) =>
        typeof row?.backend === 'string' &&
        (row.threads === undefined || typeof row.threads === 'number') &&
        typeof row.latency?.mean === 'number' &&
        typeof row.latency.moe === 'number',
    );
  if (!rowsValid || typeof candidate.pipeline !== 'string') {
    throw refuse('its pipeline or rows are missing or malformed');
  }
  return candidate as BenchFile;
}
