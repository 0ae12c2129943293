/**
 * A run's plan before it runs: which nodes a run would read from storage and which it would
 * run, and why. The same keys and the same comparison a run makes (see scheduler/stored-results.ts),
 * read from each record's header only: planning reads no result.
 */
import { isActorCallable } from '../graph/callable.js';
import type { Node } from '../graph/node.js';
import { NodeKeys } from '../keys/node-keys.js';
import { isCacheKey, type StaleReason, staleReasons } from '../storage/cache-key.js';
import type { WorkflowRunInputs } from './base-workflow.js';
import type { StoredResultTrust } from './storage-options.js';

/**
 * What a run would do with one node:
 * - `cached`: its stored result would be read, the node would not run;
 * - `stale`: a result is stored under another key (see `reasons`): the node would run again;
 * - `missing`: nothing is stored for it: the node would run;
 * - `unreadable`: something is stored under its name, but its header cannot be read: the node
 *   would run again (and the run warn);
 * - `not-stored`: it is never stored (an actor's node, a node given to `logNodes`, or the
 *   workflow has no storage): it always runs.
 *
 * @example
 * const status: PlannedStatus = 'stale';
 */
export type PlannedStatus = 'cached' | 'stale' | 'missing' | 'unreadable' | 'not-stored';

/**
 * One node of a {@link RunPlan}.
 *
 * @example
 * const node: PlannedNode = { name: 'second', index: 1, status: 'stale', reasons: ['code-changed'], key: '…', storedKey: '…', willRun: true };
 */
export interface PlannedNode {
  readonly name: string;
  /** Its place in canonical order. */
  readonly index: number;
  readonly status: PlannedStatus;
  /** For `stale`: what changed, most telling first; else empty. */
  readonly reasons: readonly StaleReason[];
  /** Its cache key now (16 hex digits); undefined without storage. */
  readonly key: string | undefined;
  /** The key of its stored result, when one with a key is stored. */
  readonly storedKey: string | undefined;
  /** Whether a run would run it (every status but `cached`). */
  readonly willRun: boolean;
}

/**
 * What `workflow.planRun()` resolves to.
 *
 * @example
 * const { nodes, toRun } = await wf.planRun();
 */
export interface RunPlan {
  readonly workflowName: string;
  /** How the storage's results are trusted (setStorage's `trust`). */
  readonly trust: StoredResultTrust;
  /** Every node in canonical order. */
  readonly nodes: readonly PlannedNode[];
  /** The names of the nodes a run would run, in canonical order. */
  readonly toRun: readonly string[];
}

/**
 * Whether a node is read from and saved to storage: actors' nodes are not (one stored result
 * cannot rebuild an object's state), nor nodes given to `logNodes`.
 *
 * @example
 * if (isStoredNode(node, loggedNodes)) await storage.save(workflowName, node.name, value);
 */
export function isStoredNode(node: Node, neverStored: ReadonlySet<Node>): boolean {
  return !isActorCallable(node.callable) && !neverStored.has(node);
}

/** Plans a run from what the run itself would start from (BaseWorkflow.runInputs). */
export async function planStoredRun(inputs: WorkflowRunInputs): Promise<RunPlan> {
  const { workflowName, plan, plugins, storage, storageOptions, loggedNodes } = inputs;
  const { trust } = storageOptions;
  const keys =
    storage === undefined ? undefined : await NodeKeys.compute(plan.nodes, plan.parentIndexes, plugins);
  const stored = new Set(storage === undefined ? [] : await storage.listTasks(workflowName));
  const planNode = async (node: Node, index: number): Promise<PlannedNode> => {
    const entry = (status: PlannedStatus, reasons: readonly StaleReason[] = [], storedKey?: string) => ({
      name: node.name,
      index,
      status,
      reasons,
      key: keys?.hexOf(index),
      storedKey,
      willRun: status !== 'cached',
    });
    if (storage === undefined || keys === undefined || !isStoredNode(node, loggedNodes))
      return entry('not-stored');
    if (!stored.has(node.name)) return entry('missing');
    // A storage that keeps no keys trusts its results by name.
    if (storage.readKey === undefined) return entry('cached');
    const info = await storage.readKey(workflowName, node.name);
    if (info === undefined) return entry('unreadable');
    const storedKey = isCacheKey(info.cacheKey) ? info.cacheKey.key : undefined;
    const reasons = trust === 'name' ? [] : staleReasons(info.cacheKey, keys.cacheKeyOf(index));
    return entry(reasons.length === 0 ? 'cached' : 'stale', reasons, storedKey);
  };
  const nodes = await Promise.all(plan.nodes.map(planNode));
  return { workflowName, trust, nodes, toRun: nodes.filter((node) => node.willRun).map((node) => node.name) };
}
