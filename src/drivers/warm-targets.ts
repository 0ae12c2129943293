/**
 * Which `shareResult` nodes of a ThreadWorkflow get shared memory faulted in while they run
 * (threads/warm-target.ts), and how much: a node whose last shared result was one large
 * buffer is expected to make one of that size again. Kept for the workflow's life, as the
 * batch sizer keeps durations, so a rerun's copies land in memory already faulted in.
 *
 * A guess that proves wrong is corrected from the result that came: a new size is expected
 * next time; a node whose large result was already shared memory (the task made it there,
 * with `sharedArray()` or by asking for a large typed array while the option made it shared,
 * threads/shared-allocation.ts: nothing was copied) is never warmed. The first run of a node is
 * never warmed: nothing is known of its size yet.
 */
import type { Node } from '../graph/node.js';
import { succeeded, type WireOutcomes } from '../threads/outcome-wire.js';
import { helpedCopyBytes } from '../threads/shared-copy.js';
import { stopWarming, type WarmTarget, warmTarget, wasTaken } from '../threads/warm-target.js';
import { forEachBinaryPart } from '../util/binary-parts.js';
import { maxNestingDepth } from '../util/inspect-value.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import type { PreparedJob } from './prepared-job.js';

/** A node's expected size: 0 when it is never warmed (its result needed no copy). */
const never = 0;

export class WarmTargets {
  /** The expected byte length of each node's shared result, by node. */
  readonly #expectedBytes = new WeakMap<Node, number>();

  /**
   * By position in `batch`, the memory for each job's coming shared result, faulted in from
   * the next turn of the event loop on; undefined when no job gets any (the common batch).
   */
  targetsFor(batch: readonly PreparedJob[], plan: ExecutionPlan): (WarmTarget | undefined)[] | undefined {
    let targets: (WarmTarget | undefined)[] | undefined;
    // Indexed: this runs for every batch sent.
    for (let position = 0; position < batch.length; position++) {
      const { index, job } = batch[position] as PreparedJob;
      if (job.shareResult !== true) continue;
      const bytes = this.#expectedBytes.get(plan.nodes[index] as Node);
      if (bytes === undefined || bytes === never) continue;
      targets ??= [];
      targets[position] = warmTarget(bytes);
    }
    return targets;
  }

  /**
   * Learns from the outcomes of `batch`, sent with the targets `sent`: each shared result
   * that came back sets its node's expected size; a target not taken stops being faulted.
   */
  learn(
    batch: readonly PreparedJob[],
    plan: ExecutionPlan,
    outcomes: WireOutcomes,
    sent: readonly (WarmTarget | undefined)[] | undefined,
  ): void {
    for (let position = 0; position < batch.length; position++) {
      const { index, job } = batch[position] as PreparedJob;
      if (job.shareResult !== true) continue;
      const target = sent?.[position];
      if (target !== undefined && wasTaken(target)) continue;
      if (target !== undefined) stopWarming(target);
      if (outcomes.kinds[position] === succeeded) {
        const copied = outcomes.extras?.[position]?.copiedBytes !== undefined;
        this.#expect(plan.nodes[index] as Node, outcomes.values[position], copied);
      }
    }
  }

  /** The targets `sent` will not be copied into (the batch's worker stopped): stops their faulting. */
  abandon(sent: readonly (WarmTarget | undefined)[] | undefined): void {
    for (const target of sent ?? []) if (target !== undefined) stopWarming(target);
  }

  #expect(node: Node, value: unknown, copied: boolean): void {
    if (this.#expectedBytes.get(node) === never) return;
    const bytes = largestSharedBuffer(value);
    if (bytes < helpedCopyBytes) this.#expectedBytes.delete(node);
    else this.#expectedBytes.set(node, copied ? bytes : never);
  }
}

/** The byte length of the largest SharedArrayBuffer `value` holds or views (0: none). */
function largestSharedBuffer(value: unknown): number {
  let largest = 0;
  forEachBinaryPart(value, maxNestingDepth, (part) => {
    const buffer = ArrayBuffer.isView(part) ? part.buffer : part;
    if (buffer instanceof SharedArrayBuffer && buffer.byteLength > largest) largest = buffer.byteLength;
  });
  return largest;
}
