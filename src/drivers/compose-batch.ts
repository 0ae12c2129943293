/**
 * The message that carries a batch of prepared jobs to a worker thread, packed as
 * threads/batch-wire.ts says. Each task module and plugin spec is named once. One message
 * carries one copy of an object however many jobs hold it, so a job that shares inputs with an
 * earlier job of its batch is marked to get its own copy in the worker: no consumer can see
 * another's mutations.
 *
 * Chains: a chained job's slots name the batch positions of the jobs whose results fill them,
 * with a copy wherever the original also goes elsewhere (out of the worker, or to a later job
 * of the batch); a result that nothing outside the batch reads stays in the worker.
 */
import type { Node } from '../graph/node.js';
import { Ref } from '../graph/node.js';
import {
  isolateFlag,
  keepInWorkerFlag,
  shareResultFlag,
  type WireBatch,
  WireBatchWriter,
} from '../threads/batch-wire.js';
import type { RemotePluginSpec } from '../threads/remote-plugin.js';
import type { WarmTarget } from '../threads/warm-target.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import type { PreparedJob } from './prepared-job.js';

/** One message to a worker, and how to send it. */
export interface ComposedBatch {
  readonly message: WireBatch;
  /** Buffers moved with the message: only a lone job moves its buffers. */
  readonly transferList: readonly ArrayBuffer[];
  /** The lone job's timeout, if any: batches of several jobs have none. */
  readonly timeoutMs: number | undefined;
  readonly bytesMoved: number;
}

/**
 * Packs `batch`. `mustReturn` names results wanted in the main thread whatever reads them (the
 * saved ones); leaves and results read outside the batch always come back. `warmTargets`, by
 * position in the batch, is the memory made ahead for jobs' shared results.
 */
export function composeBatch(
  batch: readonly PreparedJob[],
  plan: ExecutionPlan,
  mustReturn?: (index: number) => boolean,
  warmTargets?: readonly (WarmTarget | undefined)[],
): ComposedBatch {
  const writer = new WireBatchWriter();
  const plugins = new Map<RemotePluginSpec, number>();
  const parentsSoFar = new Set<number>();
  const chain = batch.length > 1 && batch.some((prepared) => prepared.chainedSlots !== undefined);
  const positions = chain ? positionsOf(batch) : undefined;
  const returned = positions === undefined ? undefined : returnedResults(batch, plan, positions, mustReturn);
  const lastReader = positions === undefined ? undefined : lastReaders(batch, positions);
  for (const [position, prepared] of batch.entries()) {
    const { job, chainedSlots } = prepared;
    let flags = batch.length > 1 && sharesInputs(prepared, plan, parentsSoFar, positions) ? isolateFlag : 0;
    if (job.shareResult === true) flags |= shareResultFlag;
    if (returned !== undefined && returned[position] === 0) flags |= keepInWorkerFlag;
    let extras:
      | {
          plugin?: { spec: number; payload: unknown };
          save?: NonNullable<typeof job.save>;
          warmTarget?: WarmTarget;
          sharedInputs?: readonly number[];
        }
      | undefined;
    if (job.plugin !== undefined) {
      let spec = plugins.get(job.plugin.spec);
      if (spec === undefined) {
        spec = plugins.size;
        plugins.set(job.plugin.spec, spec);
      }
      extras = { plugin: { spec, payload: job.plugin.payload } };
    }
    if (job.save !== undefined) extras = { ...extras, save: job.save };
    const warmTarget = warmTargets?.[position];
    if (warmTarget !== undefined) extras = { ...extras, warmTarget };
    if (job.sharedInputs !== undefined) extras = { ...extras, sharedInputs: job.sharedInputs };
    writer.add(job.nodeName, job.moduleUrl, job.key, job.args, flags, extras);
    if (chainedSlots !== undefined && positions !== undefined && returned !== undefined) {
      for (const slot of chainedSlots) {
        const source = positions.get(slot.parent) as number;
        const copy = returned[source] === 1 || lastReader?.[source] !== position;
        writer.addLink(slot.at, source, copy, slot.path);
      }
    }
  }
  const lone = batch.length === 1 ? (batch[0] as PreparedJob) : undefined;
  const transferList = lone?.transferList ?? [];
  return {
    message: writer.finish([...plugins.keys()]),
    transferList,
    timeoutMs: lone?.timeoutMs,
    bytesMoved: transferList.reduce((total, buffer) => total + buffer.byteLength, 0),
  };
}

/**
 * Whether the job may hold an object an earlier job of the batch holds too. Results of jobs in
 * the batch (`positions`) do not count: the worker copies them as their slots say.
 */
function sharesInputs(
  prepared: PreparedJob,
  plan: ExecutionPlan,
  parentsSoFar: Set<number>,
  positions: ReadonlyMap<number, number> | undefined,
): boolean {
  const node = plan.nodes[prepared.index] as Node;
  let shares = false;
  if (!node.argumentsAreParents) {
    for (let position = 0; position < node.argumentCount; position++) {
      const arg = node.argumentAt(position);
      if (typeof arg === 'object' && arg !== null && !(arg instanceof Ref)) {
        shares = true;
        break;
      }
    }
  }
  const { parentStart, parentList } = plan;
  const end = parentStart[prepared.index + 1] as number;
  for (let edge = parentStart[prepared.index] as number; edge < end; edge++) {
    const parent = parentList[edge] as number;
    if (positions?.has(parent) === true) continue;
    if (parentsSoFar.has(parent)) shares = true;
    parentsSoFar.add(parent);
  }
  return shares;
}

function positionsOf(batch: readonly PreparedJob[]): Map<number, number> {
  const positions = new Map<number, number>();
  for (const [position, prepared] of batch.entries()) positions.set(prepared.index, position);
  return positions;
}

/** 1 for each job whose result comes back: a leaf, a saved result, or one read outside the batch. */
function returnedResults(
  batch: readonly PreparedJob[],
  plan: ExecutionPlan,
  positions: ReadonlyMap<number, number>,
  mustReturn: ((index: number) => boolean) | undefined,
): Uint8Array {
  const returned = new Uint8Array(batch.length);
  for (const [position, { index }] of batch.entries()) {
    let leaves = plan.isLeaf[index] === 1 || mustReturn?.(index) === true;
    if (!leaves) {
      const end = plan.childStart[index + 1] as number;
      for (let edge = plan.childStart[index] as number; edge < end; edge++) {
        if (!positions.has(plan.childList[edge] as number)) {
          leaves = true;
          break;
        }
      }
    }
    returned[position] = leaves ? 1 : 0;
  }
  return returned;
}

/** The last job of the batch to read each result, by the result's position (-1: none). */
function lastReaders(batch: readonly PreparedJob[], positions: ReadonlyMap<number, number>): Int32Array {
  const lastReader = new Int32Array(batch.length).fill(-1);
  for (let position = 0; position < batch.length; position++) {
    const slots = (batch[position] as PreparedJob).chainedSlots;
    if (slots === undefined) continue;
    for (const slot of slots) lastReader[positions.get(slot.parent) as number] = position;
  }
  return lastReader;
}
