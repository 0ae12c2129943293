/**
 * `npm run bench`: every benchmark, one after the other, each in its own process so one
 * suite's heap and threads do not disturb the next. Each prints its table and writes JSON to
 * bench/results/.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const suites = [
  'local.bench.ts',
  'threads.bench.ts',
  'actors.bench.ts',
  'storage.bench.ts',
  'storage-overhead.bench.ts',
  'storage-dispatch.bench.ts',
  'node-keys.bench.ts',
  'graph-shape.bench.ts',
  'soak.ts',
];
for (const suite of suites) {
  const path = fileURLToPath(new URL(suite, import.meta.url));
  execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', path], { stdio: 'inherit' });
}
