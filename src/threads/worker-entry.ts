import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FunctionFuseError } from '../errors.js';

/**
 * The path of a built worker entry (`dist/workers/<name>.js`). Workers are plain JavaScript so
 * they start without a loader; running the library from its TypeScript sources has none.
 */
export function workerEntryPath(name: 'task-worker' | 'actor-host'): string {
  const path = fileURLToPath(new URL(`../../workers/${name}.js`, import.meta.url));
  if (!existsSync(path)) {
    throw new FunctionFuseError(
      `The worker entry ${path} does not exist. ThreadWorkflow runs from the built package: ` +
        "run `npm run build` and import from 'functionfuse', not from its TypeScript sources.",
    );
  }
  return path;
}
