/**
 * What {@link benchWorkflow} reports while it measures (it can take minutes), one union for
 * every step, so a caller can print progress without knowing how rows are run.
 */

/**
 * One step of a benchmark, given to `onProgress`. `label` names the row (`local`,
 * `threads ×2`). A row starts with its cold first run, then its warm runs, each reported as it
 * ends, then `row-finished` with its median.
 *
 * @example
 * onProgress: (progress) => { if (progress.type === 'cold-run') console.error(progress.label, progress.durationMs); }
 */
export type BenchProgress =
  | { readonly type: 'row-started'; readonly label: string }
  | { readonly type: 'cold-run'; readonly label: string; readonly durationMs: number }
  | {
      readonly type: 'warm-run';
      readonly label: string;
      /** Warm runs of this row so far. */
      readonly runs: number;
      /** Since the row's first warm run started. */
      readonly elapsedMs: number;
    }
  | {
      readonly type: 'row-finished';
      readonly label: string;
      readonly runs: number;
      readonly medianMs: number;
    };
