/** First result on a fresh pool, JavaScript vs TypeScript task modules (child processes). */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type FigureRow, round } from '../support.js';

export function coldStart(): FigureRow[] {
  const script = fileURLToPath(new URL('../cold-start.ts', import.meta.url));
  const samples = { js: [] as number[], ts: [] as number[] };
  for (let attempt = 0; attempt < 5; attempt++) {
    for (const kind of ['js', 'ts'] as const) {
      const output = execFileSync(process.execPath, ['--import', 'tsx', script, kind], { encoding: 'utf8' });
      samples[kind].push((JSON.parse(output) as { firstResultMs: number }).firstResultMs);
    }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  return [
    {
      benchmark: '5. cold start, first result on a fresh pool',
      ours: `${round(median(samples.ts))} ms with TypeScript task modules`,
      baseline: `${round(median(samples.js))} ms with JavaScript task modules`,
      ratio: round(median(samples.ts) / median(samples.js)),
      budget: '(reported)',
    },
  ];
}
