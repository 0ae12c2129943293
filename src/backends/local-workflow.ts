import { eventTime } from '../events/workflow-events.js';
import { callCallable, callWithPlugin, isThenable, type PreparedPlugin } from '../executor/call-node.js';
import { delay, overrunError, withDeadline } from '../executor/deadline.js';
import { MainThreadWatchdog } from '../executor/main-thread-watchdog.js';
import { resolveArguments } from '../graph/arguments.js';
import { isActorCallable } from '../graph/callable.js';
import type { Node } from '../graph/node.js';
import type { Leaves, RunResult } from '../graph/types.js';
import { nodeFailure, RunOutcomes } from '../scheduler/run-outcomes.js';
import { RunTimings } from '../scheduler/run-timings.js';
import { StoredResults } from '../scheduler/stored-results.js';
import { BaseWorkflow } from '../workflow/base-workflow.js';
import { resolveNodeOptions } from '../workflow/node-options.js';
import { type RunOptions, resolveRunOptions } from '../workflow/run-options.js';
import { refuseWorkflowInWorker } from '../workflow/worker-guard.js';

/**
 * Runs the graph in the main thread, one node at a time in canonical order, awaiting async
 * nodes. The reference backend: every other backend gives the same results.
 *
 * @example
 * const wf = new LocalWorkflow([m, a1], { workflowName: 'demo' });
 * const [rm, ra] = await wf.run();
 */
export class LocalWorkflow<const L extends Leaves = Leaves> extends BaseWorkflow<L> {
  /**
   * Runs every node in canonical order and resolves to the leaves' values. See {@link RunOptions}
   * for `failFast` and `signal`.
   */
  override async run(options?: RunOptions): Promise<RunResult<L>> {
    const { failFast, signal } = resolveRunOptions(options);
    refuseWorkflowInWorker(this.workflowName);
    const plan = this.plan();
    const { workflowName, storage } = this;
    const { nodes, indexOf, parentIndexes, isLeaf } = plan;
    if (storage !== undefined) await storage.newWorkflow(workflowName);
    const plugins = this.preparePlugins(plan);

    const outcomes = new RunOutcomes(plan, workflowName, failFast, this.events);
    const stored =
      storage === undefined ? undefined : new StoredResults(storage, workflowName, this.loggedNodes);
    await stored?.prepare();
    const results = new Array<unknown>(nodes.length);
    const remainingConsumers = plan.consumerCounts();
    const resultOf = (node: Node): unknown => results[indexOf.get(node) as number];
    const timings = new RunTimings(this.events, nodes.length);
    const call: NodeCallContext = { outcomes, signal, watchdog: new MainThreadWatchdog() };

    try {
      for (let index = 0; index < nodes.length; index++) {
        if (signal?.aborted) outcomes.abort(signal.reason);
        if (outcomes.stopped) break;
        if (outcomes.isSkipped(index)) continue;
        const node = nodes[index] as Node;
        const startedAt = timings.enabled ? eventTime() : 0;
        timings.queued(index, node.name);
        timings.started(index, node.name);
        try {
          let cached = false;
          if (stored?.isCached(node)) {
            const produced = await this.#readOrCompute(stored, node, index, plugins[index], resultOf, call);
            results[index] = produced.value;
            cached = produced.cached;
          } else {
            let value = this.#execute(node, index, plugins[index], resultOf, call);
            if (isThenable(value)) value = await value;
            results[index] = value;
          }
          outcomes.complete(index, cached);
          if (timings.enabled && !cached) {
            // The main thread is thread 0; a node starts the moment it is queued.
            timings.finished(
              index,
              node.name,
              { threadId: 0, startedAt, durationMs: eventTime() - startedAt },
              0,
            );
          }
        } catch (error) {
          if (signal?.aborted) outcomes.abort(signal.reason);
          else outcomes.fail(index, nodeFailure(node.name, error));
        }
        // Release each parent's result once its last consumer has started, unless it is a leaf.
        for (const parent of parentIndexes[index] as Int32Array) {
          if (--(remainingConsumers[parent] as number) === 0 && isLeaf[parent] === 0) {
            results[parent] = undefined;
          }
        }
      }
    } finally {
      outcomes.finish();
      await call.watchdog.close();
    }
    const failure = outcomes.finalError();
    if (failure !== undefined) throw failure;
    return this.collectResults(resultOf);
  }

  /** A node's result: read from storage when usable there, else computed and saved. */
  async #readOrCompute(
    stored: StoredResults,
    node: Node,
    index: number,
    prepared: PreparedPlugin | undefined,
    resultOf: (node: Node) => unknown,
    call: NodeCallContext,
  ): Promise<{ value: unknown; cached: boolean }> {
    const lookup = await stored.read(node);
    if (lookup.found) return { value: lookup.value, cached: true };
    let value = this.#execute(node, index, prepared, resultOf, call);
    if (isThenable(value)) value = await value;
    return { value: await stored.save(node, value), cached: false };
  }

  /**
   * Calls the node. Sync nodes without plugins, retries, timeout or signal stay off the
   * promise path: a promise per node would be most of the per-node cost.
   */
  #execute(
    node: Node,
    index: number,
    prepared: PreparedPlugin | undefined,
    resultOf: (node: Node) => unknown,
    call: NodeCallContext,
  ): unknown {
    const { callable } = node;
    const { signal, outcomes, watchdog } = call;
    const { retries, retryDelay, timeout } = resolveNodeOptions(this.settingsOf(node)?.options);
    const args = resolveArguments(node, resultOf);
    const instance = callable.kind === 'actor-call' ? resultOf(callable.instance) : undefined;
    // The payload was prepared once per run (a retried node sees the same seed).
    const attempt = (): unknown =>
      prepared === undefined
        ? callCallable(callable, args, instance)
        : callWithPlugin(node.name, prepared, () => callCallable(callable, args, instance));
    if (retries === 0 && timeout === undefined && signal === undefined) return attempt();
    const attempts = isActorCallable(callable) ? 1 : retries + 1;
    return (async () => {
      for (let tried = 1; ; tried++) {
        try {
          const value =
            timeout === undefined ? attempt() : attemptWatched(node.name, timeout, attempt, watchdog);
          return isThenable(value)
            ? await withDeadline(Promise.resolve(value), node.name, timeout, signal)
            : value;
        } catch (error) {
          if (tried >= attempts || signal?.aborted) throw nodeFailure(node.name, error, tried);
          outcomes.retried(index, tried + 1, error, retryDelay);
          await delay(retryDelay, signal);
        }
      }
    })();
  }
}

/** What every node call of one run shares. */
interface NodeCallContext {
  readonly outcomes: RunOutcomes;
  readonly signal: AbortSignal | undefined;
  /** Says when a synchronous node overruns its timeout (nothing can stop it in the main thread). */
  readonly watchdog: MainThreadWatchdog;
}

/**
 * One attempt of a node with a timeout. The synchronous part of the call cannot be stopped in
 * the main thread: the watchdog says so when it overruns, and a synchronous node that returns
 * late fails as a timeout, as it would on every other backend. An async node's promise is timed
 * by the caller.
 */
function attemptWatched(
  nodeName: string,
  timeoutMs: number,
  attempt: () => unknown,
  watchdog: MainThreadWatchdog,
): unknown {
  const startedAt = performance.now();
  const watch = watchdog.arm(nodeName, timeoutMs);
  let value: unknown;
  try {
    value = attempt();
  } finally {
    watchdog.disarm(watch);
  }
  const ranMs = performance.now() - startedAt;
  if (!isThenable(value) && ranMs > timeoutMs) throw overrunError(nodeName, timeoutMs, ranMs);
  return value;
}
