/** A chain of 50 nodes each returning a fresh 100 MB array: peak resident memory (child process). */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type FigureRow, round } from '../support.js';

export function memory(): FigureRow[] {
  const script = fileURLToPath(new URL('../memory-chain.ts', import.meta.url));
  const output = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
  const { peakRssMb, arrayMb, nodes } = JSON.parse(output) as {
    peakRssMb: number;
    arrayMb: number;
    nodes: number;
  };
  return [
    {
      benchmark: `6. memory, chain of ${nodes} × ${arrayMb} MB arrays`,
      ours: `${peakRssMb} MB peak RSS`,
      baseline: `${nodes * arrayMb} MB if every result were kept`,
      ratio: round(peakRssMb / (nodes * arrayMb)),
      budget: 'a few hundred MB',
    },
  ];
}
