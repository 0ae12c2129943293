import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FunctionFuseError } from '../errors.js';

/**
 * The path of a built worker entry (`dist/workers/<name>-loader.cjs`). Workers are plain
 * JavaScript so they start without a loader; running the library from its TypeScript sources
 * has none. The entries are CommonJS files that import() the ES module ones: Node 20's
 * require() of an ES module, which is how Piscina loads a worker file, now and then aborts the
 * process (see workers/task-worker-loader.cts).
 */
export function workerEntryPath(name: 'task-worker' | 'actor-host'): string {
  const path = fileURLToPath(new URL(`../../workers/${name}-loader.cjs`, import.meta.url));
  if (!existsSync(path)) {
    throw new FunctionFuseError(
      `The worker entry ${path} does not exist. ThreadWorkflow runs from the built package: ` +
        "run `npm run build` and import from 'functionfuse', not from its TypeScript sources.",
    );
  }
  return path;
}
