/**
 * Property-based tests over random DAGs (random fan-in and fan-out, item access, seeded nodes):
 * every backend gives exactly LocalWorkflow's results, runs every node exactly once, with
 * failures injected completes, fails and skips exactly the nodes the graph implies, and with
 * FileStorage resumes a failed run by running exactly what did not complete.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  FileStorage,
  LocalWorkflow,
  type Node,
  RandomStatePlugin,
  type Ref,
  ThreadWorkflow,
  WorkflowFailedError,
} from 'functionfuse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MixInput, type MixResult, mix } from './fixtures/dag-tasks.mjs';
import { ExecutionLog } from './support/backends.js';
import { captureWarnings, type WarningCapture } from './support/warnings.js';

/** A node of a random DAG, by index: which earlier nodes it reads and how. */
interface NodeSpec {
  readonly inputs: readonly { readonly parent: number; readonly access: 'whole' | 'value' | 'part' }[];
  readonly random: boolean;
  readonly failing: boolean;
}

const dagSpec = (maxNodes: number, failures: boolean) =>
  fc.integer({ min: 1, max: maxNodes }).chain((size) =>
    fc.tuple(
      ...Array.from({ length: size }, (_, index) =>
        fc.record({
          inputs: fc.array(
            fc.record({
              parent: fc.integer({ min: 0, max: Math.max(0, index - 1) }),
              access: fc.constantFrom('whole' as const, 'value' as const, 'part' as const),
            }),
            { maxLength: index === 0 ? 0 : 4 },
          ),
          random: fc.boolean(),
          failing: failures ? fc.integer({ min: 0, max: 9 }).map((roll) => roll === 0) : fc.constant(false),
        }),
      ),
    ),
  );

/** Builds the graph; node i is named `n<i>`. */
function build(specs: readonly NodeSpec[], logPath: string): Node<MixResult>[] {
  const nodes: Node<MixResult>[] = [];
  specs.forEach((spec, index) => {
    const inputs = spec.inputs.map(({ parent, access }): MixInput | Ref<MixInput> => {
      const node = nodes[parent] as Node<MixResult>;
      if (access === 'whole') return node;
      if (access === 'value') return node.item('value');
      return node.item('parts').item(0);
    });
    nodes.push(mix(index, logPath, inputs as MixInput[], spec.random, spec.failing).setName(`n${index}`));
  });
  return nodes;
}

function withSeeds<W extends LocalWorkflow | ThreadWorkflow>(workflow: W): W {
  workflow.query().setPlugin(new RandomStatePlugin({ seed: 99 }));
  return workflow;
}

/** What the graph implies: a node is skipped if a parent failed or was skipped. */
function expectedOutcomes(specs: readonly NodeSpec[]) {
  const states: ('completed' | 'failed' | 'skipped')[] = [];
  specs.forEach((spec, index) => {
    const parents = spec.inputs.map(({ parent }) => states[parent]);
    states[index] = parents.some((state) => state !== 'completed')
      ? 'skipped'
      : spec.failing
        ? 'failed'
        : 'completed';
  });
  const named = (wanted: string) => states.flatMap((state, index) => (state === wanted ? [`n${index}`] : []));
  return { completed: named('completed'), failed: named('failed'), skipped: named('skipped') };
}

function sortedCounts(entries: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[`n${entry}`] = (counts[`n${entry}`] ?? 0) + 1;
  return counts;
}

describe('random DAGs', () => {
  // Up to 4 threads on a machine with fewer cores is on purpose: that warning is expected.
  let warnings: WarningCapture;
  beforeAll(() => {
    warnings = captureWarnings();
  });
  afterAll(() => {
    warnings.restore();
    for (const warning of warnings.warnings) expect(warning.code).toBe('FUNCTIONFUSE_THREADS_ABOVE_CORES');
  });

  it("give LocalWorkflow's exact results on 1 to 4 threads, each node run once", async () => {
    await fc.assert(
      fc.asyncProperty(dagSpec(300, false), fc.integer({ min: 1, max: 4 }), async (specs, threads) => {
        const localLog = new ExecutionLog();
        const threadLog = new ExecutionLog();
        try {
          const expected = await withSeeds(
            new LocalWorkflow(build(specs, localLog.path), { workflowName: 'dag' }),
          ).run();
          const workflow = withSeeds(
            new ThreadWorkflow(build(specs, threadLog.path), { workflowName: 'dag', threads }),
          );
          try {
            expect(await workflow.run()).toEqual(expected);
          } finally {
            await workflow.close();
          }
          const once = Object.fromEntries(specs.map((_, index) => [`n${index}`, 1]));
          expect(sortedCounts(localLog.entries())).toEqual(once);
          expect(sortedCounts(threadLog.entries())).toEqual(once);
        } finally {
          localLog.remove();
          threadLog.remove();
        }
      }),
      { numRuns: 12 },
    );
  });

  it('with failures injected, complete, fail and skip exactly what the graph implies', async () => {
    await fc.assert(
      fc.asyncProperty(dagSpec(150, true), fc.integer({ min: 1, max: 4 }), async (specs, threads) => {
        const expected = expectedOutcomes(specs);
        for (const backend of ['local', 'threads'] as const) {
          const log = new ExecutionLog();
          const nodes = build(specs, log.path);
          const workflow =
            backend === 'local'
              ? new LocalWorkflow(nodes, { workflowName: 'dag-failures' })
              : new ThreadWorkflow(nodes, { workflowName: 'dag-failures', threads });
          try {
            const outcome = await workflow.run({ failFast: false }).then(
              () => undefined,
              (error: unknown) => error,
            );
            if (expected.failed.length === 0) {
              expect(outcome).toBeUndefined();
            } else {
              // Both lists come in canonical order (waves, then creation order).
              const canonical = workflow.findNodes().map((node) => node.name);
              const inCanonicalOrder = (names: string[]) =>
                [...names].sort((a, b) => canonical.indexOf(a) - canonical.indexOf(b));
              expect(outcome).toBeInstanceOf(WorkflowFailedError);
              expect((outcome as WorkflowFailedError).failed).toEqual(inCanonicalOrder(expected.failed));
              expect((outcome as WorkflowFailedError).skipped).toEqual(inCanonicalOrder(expected.skipped));
            }
            // Every completed or failed node ran exactly once; skipped nodes never ran.
            const ran = Object.fromEntries(
              [...expected.completed, ...expected.failed].map((name) => [name, 1]),
            );
            expect(sortedCounts(log.entries())).toEqual(ran);
          } finally {
            if (workflow instanceof ThreadWorkflow) await workflow.close();
            log.remove();
          }
        }
      }),
      { numRuns: 12 },
    );
  });

  it('with FileStorage, a rerun after failures runs exactly what did not complete, with the right results', async () => {
    await fc.assert(
      fc.asyncProperty(
        dagSpec(100, true),
        fc.constantFrom('local' as const, 'threads' as const),
        fc.integer({ min: 1, max: 3 }),
        async (specs, backend, threads) => {
          const expected = expectedOutcomes(specs);
          const fixed = specs.map((spec) => ({ ...spec, failing: false }));
          const folder = mkdtempSync(join(tmpdir(), 'functionfuse-dag-storage-'));
          const logs = [new ExecutionLog(), new ExecutionLog()] as const;
          const create = (nodes: Node<MixResult>[]) =>
            withSeeds(
              backend === 'local'
                ? new LocalWorkflow(nodes, { workflowName: 'resume' })
                : new ThreadWorkflow(nodes, { workflowName: 'resume', threads }),
            ).setStorage(new FileStorage(folder));
          const runToEnd = async <T>(workflow: LocalWorkflow | ThreadWorkflow, run: () => Promise<T>) => {
            try {
              return await run();
            } finally {
              if (workflow instanceof ThreadWorkflow) await workflow.close();
            }
          };
          try {
            const fresh = await withSeeds(
              new LocalWorkflow(build(fixed, logs[0].path), { workflowName: 'resume' }),
            ).run();
            // One log for both runs: the log's path is an argument, so part of every cache key.
            // Only the failing nodes' arguments change (failing: false), so with cache keys too
            // exactly they and the nodes they held up (skipped, never saved) run again.
            const first = create(build(specs, logs[1].path));
            await runToEnd(first, () => first.run({ failFast: false }).catch(() => undefined));
            const ranFirst = logs[1].entries().length;
            const second = create(build(fixed, logs[1].path));
            expect(await runToEnd(second, () => second.run())).toEqual(fresh);
            const rerun = Object.fromEntries(
              [...expected.failed, ...expected.skipped].map((name) => [name, 1]),
            );
            expect(sortedCounts(logs[1].entries().slice(ranFirst))).toEqual(rerun);
          } finally {
            for (const log of logs) log.remove();
            rmSync(folder, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 10 },
    );
  });
});
