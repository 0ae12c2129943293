/**
 * Pipeline modules: the files `functionfuse run` and `functionfuse graph` take. Importing one
 * starts nothing; its default export builds the graph when the CLI calls it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeValue } from '../errors.js';
import { Ref } from '../graph/node.js';
import type { Leaves } from '../graph/types.js';
import type { BaseWorkflow } from '../workflow/base-workflow.js';
import { UsageError } from './cli-errors.js';

/**
 * What a pipeline module's default export returns: the graph's leaves (one node or item, or an
 * array of them), or the leaves with a workflow name and a `setup` hook.
 *
 * @example
 * const graph: PipelineGraph = { leaves: [estimate, exact], workflowName: 'monte-carlo' };
 */
export type PipelineGraph =
  | Leaves
  | {
      /** The outputs: `run` prints their values, as `workflow.run()` returns them. */
      readonly leaves: Leaves;
      /**
       * Names the workflow (the storage folder of its results).
       * @default the module's file name without extension (`pipeline` for `pipeline.ts`)
       */
      readonly workflowName?: string;
      /**
       * Called by `functionfuse run` with the workflow it built, before the run: set plugins,
       * node options or storage here. It runs after `--seed` and `--storage` are applied, so
       * what it sets wins over them.
       */
      setup?(workflow: BaseWorkflow): void | Promise<void>;
    };

/**
 * The shape of a pipeline module's default export, the file `functionfuse run` and
 * `functionfuse graph` take: a function, possibly async, that builds the graph by calling tasks
 * and returns a {@link PipelineGraph}. The CLI imports the module, which must start nothing,
 * then calls the function once. TypeScript modules need no build step: the CLI loads them with
 * tsx. Tasks may be defined in the pipeline module itself, at its top level: worker threads
 * import it to find them, and find no workflow started.
 *
 * @example
 * // pipeline.ts
 * import { task, type PipelineDefinition } from 'functionfuse';
 * export const sum = task(function sum(a: number, b: number) { return a + b; });
 *
 * const pipeline: PipelineDefinition = () => {
 *   const total = sum(sum(1, 2), 3);
 *   return { leaves: total, workflowName: 'sums', setup: (wf) => wf.query('sum_.*').setOptions({ priority: 1 }) };
 * };
 * export default pipeline;
 * // $ npx functionfuse run pipeline.ts --backend threads
 */
export type PipelineDefinition = () => PipelineGraph | Promise<PipelineGraph>;

/**
 * A pipeline module after its default export ran: what the CLI needs to build a workflow.
 *
 * @example
 * const { leaves, workflowName } = await loadPipeline('pipeline.ts');
 */
export interface LoadedPipeline {
  readonly leaves: Leaves;
  readonly workflowName: string;
  readonly setup: ((workflow: BaseWorkflow) => void | Promise<void>) | undefined;
}

const typeScriptExtension = /^\.(?:[cm]?ts|tsx)$/i;
let tsxRegistration: Promise<void> | undefined;

/**
 * Imports a pipeline module and calls its default export.
 *
 * @throws {UsageError} when the file is missing or is not a pipeline module (exit code 2).
 * @throws {Error} with the module's own error as `cause` when importing it or building the
 *   graph throws (exit code 1).
 *
 * @example
 * const pipeline = await loadPipeline('examples/pipeline.ts');
 * const wf = new LocalWorkflow(pipeline.leaves, { workflowName: pipeline.workflowName });
 */
export async function loadPipeline(file: string): Promise<LoadedPipeline> {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new UsageError(`No pipeline module at ${JSON.stringify(file)} (${path}): check the path.`);
  }
  if (typeScriptExtension.test(extname(path))) await registerTsx();

  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    const hint = moduleKindHint(path);
    // Node's words for an ES module loaded as CommonJS say nothing of the fix: the fix first.
    const message =
      hint !== '' && isModuleKindError(error)
        ? `Could not import the pipeline module ${file} as an ES module${hint}. Node said: ${messageOf(error)}`
        : `Could not import the pipeline module ${file}: ${messageOf(error)}${hint}`;
    throw new Error(message, { cause: error });
  }
  // A CommonJS module's `exports.default = pipeline` arrives as `default.default`.
  const exported = module.default;
  const definition =
    typeof exported === 'object' &&
    exported !== null &&
    typeof (exported as { default?: unknown }).default === 'function'
      ? (exported as { default: unknown }).default
      : exported;
  if (typeof definition !== 'function') {
    throw new UsageError(
      `The pipeline module ${file} has no default export function (got ${describeValue(definition)}): ` +
        'add `export default function pipeline() { ...; return leaves; }`.',
    );
  }

  let graph: unknown;
  try {
    graph = await (definition as () => unknown)();
  } catch (error) {
    throw new Error(`The default export of ${file} threw while building the graph: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return readGraph(graph, file, basename(path, extname(path)));
}

/**
 * tsx's loader, registered once in this thread so `import()` reads TypeScript. Workers
 * register their own when they import a TypeScript task module.
 */
function registerTsx(): Promise<void> {
  tsxRegistration ??= import('tsx/esm/api').then(
    (api) => {
      api.register();
    },
    (error: unknown) => {
      tsxRegistration = undefined;
      throw new Error(
        `The pipeline module is TypeScript and tsx could not be loaded to read it: ${messageOf(error)}. ` +
          'Reinstall functionfuse (npm install functionfuse), or compile the module to JavaScript.',
        { cause: error },
      );
    },
  );
  return tsxRegistration;
}

/**
 * What to change when a module that is read as CommonJS failed to load: a `.ts` or `.js` file
 * in a project whose package.json has no `"type": "module"` is CommonJS to Node and to tsx, and
 * ES module syntax or imports of ES modules fail there in ways that do not say so.
 */
/** Errors Node and tsx give for an ES module (import, export, top-level await) read as CommonJS. */
const moduleKindCodes = new Set(['ERR_REQUIRE_ESM', 'ERR_REQUIRE_CYCLE_MODULE', 'ERR_REQUIRE_ASYNC_MODULE']);
const moduleKindMessage =
  /Cannot use import statement outside a module|Unexpected token 'export'|not supported with the "cjs" output format|require\(\) ES Module/;

function isModuleKindError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && moduleKindCodes.has(code)) || moduleKindMessage.test(messageOf(error));
}

function moduleKindHint(path: string): string {
  const extension = extname(path).toLowerCase();
  if (extension !== '.ts' && extension !== '.tsx' && extension !== '.js') return '';
  const manifest = nearestPackageJson(dirname(path));
  if (manifest?.type === 'module') return '';
  const where =
    manifest === undefined ? 'no package.json above it' : `${manifest.path} has no "type": "module"`;
  const renamed = extension === '.js' ? '.mjs' : '.mts';
  return (
    `. It is read as CommonJS (${where}): add "type": "module" to your package.json, or rename the module ` +
    `to ${basename(path, extname(path))}${renamed}`
  );
}

function nearestPackageJson(folder: string): { path: string; type: unknown } | undefined {
  for (let current = folder; ; current = dirname(current)) {
    const candidate = join(current, 'package.json');
    if (existsSync(candidate)) {
      try {
        return {
          path: candidate,
          type: (JSON.parse(readFileSync(candidate, 'utf8')) as { type?: unknown }).type,
        };
      } catch {
        return { path: candidate, type: undefined };
      }
    }
    if (dirname(current) === current) return undefined;
  }
}

function readGraph(graph: unknown, file: string, defaultName: string): LoadedPipeline {
  const expected =
    'a node, an item, an array of them, or { leaves, workflowName?, setup? } (see PipelineDefinition)';
  if (isLeaves(graph)) return { leaves: graph, workflowName: defaultName, setup: undefined };
  if (graph === null || typeof graph !== 'object' || Array.isArray(graph) || !('leaves' in graph)) {
    throw new UsageError(
      `The default export of ${file} returned ${describeValue(graph)}; expected ${expected}.${foreignCopyHint(graph)}`,
    );
  }
  const { leaves, workflowName = defaultName, setup } = graph as Record<string, unknown>;
  if (!isLeaves(leaves)) {
    throw new UsageError(
      `The default export of ${file} returned leaves that are ${describeValue(leaves)}; expected a node, an item or an array of them.${foreignCopyHint(leaves)}`,
    );
  }
  if (typeof workflowName !== 'string' || workflowName.length === 0) {
    throw new UsageError(
      `The default export of ${file} returned a workflowName that is ${describeValue(workflowName)}; expected a non-empty string.`,
    );
  }
  if (setup !== undefined && typeof setup !== 'function') {
    throw new UsageError(
      `The default export of ${file} returned a setup that is ${describeValue(setup)}; expected a function.`,
    );
  }
  return {
    leaves,
    workflowName,
    setup: setup === undefined ? undefined : (setup as LoadedPipeline['setup']),
  };
}

function isLeaves(value: unknown): value is Leaves {
  if (value instanceof Ref) return true;
  return Array.isArray(value) && value.length > 0 && value.every((leaf) => leaf instanceof Ref);
}

/**
 * Nodes built by another installed copy of functionfuse (a global CLI, a nested dependency)
 * are not `instanceof` this copy's classes: say so instead of "expected a node".
 */
function foreignCopyHint(value: unknown): string {
  const sample = Array.isArray(value) ? value[0] : value;
  const constructorName = (sample as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  if (constructorName !== 'Node' && constructorName !== 'NodeItem') return '';
  return ' The nodes come from another copy of functionfuse than this CLI: run the one installed with the pipeline (npx functionfuse).';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
