import { FunctionFuseError } from '../errors.js';
import { timeoutError } from '../executor/deadline.js';
import type { Node } from '../graph/node.js';
import { ActorHost } from '../threads/actor-host.js';
import type { ActorHostPool } from '../threads/actor-host-pool.js';
import type { JobOutcome, JobStartup, JobTiming, RemotePluginCall } from '../threads/messages.js';
import { deserializeThrown } from '../threads/serialized-error.js';
import type { ExecutionPlan } from '../workflow/plan.js';

/** An actor node that finished: its value, and the snapshot of its object when that is a leaf. */
export interface ActorNodeDone {
  readonly value: unknown;
  readonly timing: JobTiming & JobStartup;
  readonly snapshot?: { readonly initIndex: number; readonly value: unknown };
}

/**
 * The actors of one run: each lives in its own worker thread, taken when its init node is
 * dispatched (from `idleHosts`, the workflow's threads kept between runs, when given) and given
 * back or ended when its last call in the workflow has finished; ended when the run fails or is
 * cancelled. Calls on one actor arrive in call order, because each call node depends on the
 * previous one.
 */
export class ActorSupervisor {
  readonly #plan: ExecutionPlan;
  readonly #idleHosts: ActorHostPool | undefined;
  readonly #hosts = new Map<number, ActorHost>();
  /** For each init node (by index): the calls of the workflow still to finish. */
  readonly #callsLeft: Int32Array;

  constructor(plan: ExecutionPlan, idleHosts?: ActorHostPool) {
    this.#plan = plan;
    this.#idleHosts = idleHosts;
    this.#callsLeft = new Int32Array(plan.nodes.length);
    for (const node of plan.nodes) {
      if (node.callable.kind === 'actor-call') {
        (this.#callsLeft[this.#initIndex(node)] as number)++;
      }
    }
  }

  /**
   * Runs actor node `index` (starts its actor, or calls a method on it) and resolves once it is
   * done, ending the actor after its last call. Rejects with the node's error. A call past its
   * `timeout` ends the actor: a call cannot be interrupted inside its object.
   */
  async run(
    index: number,
    args: readonly unknown[],
    transferList: readonly ArrayBuffer[],
    plugin: RemotePluginCall | undefined,
    timeout: number | undefined,
  ): Promise<ActorNodeDone> {
    const node = this.#plan.nodes[index] as Node;
    const operation = this.#dispatch(index, args, transferList, plugin);
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => void this.terminateActorOf(index, timeoutError(node.name, timeout)), timeout);
    let outcome: JobOutcome;
    try {
      outcome = await operation;
    } finally {
      clearTimeout(timer);
    }
    if (!outcome.ok) throw deserializeThrown(outcome.error);
    const finished = await this.#finished(index);
    if (finished?.snapshot !== undefined && !finished.snapshot.ok)
      throw deserializeThrown(finished.snapshot.error);
    return {
      // An actor's object stays in its thread: its init node's value is only a snapshot,
      // taken after its last call and only when run() returns it.
      value: node.callable.kind === 'actor-init' ? undefined : outcome.value,
      timing: outcome,
      ...(finished?.snapshot?.ok
        ? { snapshot: { initIndex: finished.initIndex, value: finished.snapshot.value } }
        : {}),
    };
  }

  #dispatch(
    index: number,
    args: readonly unknown[],
    transferList: readonly ArrayBuffer[],
    plugin: RemotePluginCall | undefined,
  ): Promise<JobOutcome> {
    const node = this.#plan.nodes[index] as Node;
    const { callable } = node;
    const withPlugin = plugin === undefined ? {} : { plugin };
    if (callable.kind === 'actor-init') {
      const { moduleUrl, key } = callable.actor.location;
      if (moduleUrl === undefined) {
        throw new FunctionFuseError(
          `Actor class "${callable.actor.baseName}" has no known module, so worker threads cannot load it: ` +
            'pass { module: import.meta.url } to actor().',
        );
      }
      const host = this.#idleHosts?.take(node.name) ?? new ActorHost(node.name);
      this.#hosts.set(index, host);
      return host.construct({ nodeName: node.name, moduleUrl, key, args, ...withPlugin }, transferList);
    }
    if (callable.kind !== 'actor-call') throw new TypeError(`Node "${node.name}" is not an actor node`);
    const host = this.#hosts.get(this.#initIndex(node)) as ActorHost;
    return host.call({ nodeName: node.name, method: callable.method, args, ...withPlugin }, transferList);
  }

  /**
   * Called when an actor node has finished. When it was the actor's last call, ends the actor,
   * first taking a snapshot of its fields when its init node is a leaf (run() returns it).
   * Resolves to that snapshot's outcome, or undefined.
   */
  async #finished(
    index: number,
  ): Promise<{ initIndex: number; snapshot: JobOutcome | undefined } | undefined> {
    const node = this.#plan.nodes[index] as Node;
    const initIndex = node.callable.kind === 'actor-init' ? index : this.#initIndex(node);
    if (node.callable.kind === 'actor-call') (this.#callsLeft[initIndex] as number)--;
    if (this.#callsLeft[initIndex] !== 0) return undefined;
    const host = this.#hosts.get(initIndex);
    if (host === undefined) return undefined;
    this.#hosts.delete(initIndex);
    try {
      const initNode = this.#plan.nodes[initIndex] as Node;
      const snapshot = this.#plan.isLeaf[initIndex] === 1 ? await host.snapshot(initNode.name) : undefined;
      return { initIndex, snapshot };
    } finally {
      if (this.#idleHosts === undefined) await host.terminate();
      else await this.#idleHosts.giveBack(host);
    }
  }

  /** Ends every actor still running (after a failure or a cancellation). */
  async terminateAll(reason?: unknown): Promise<void> {
    const hosts = [...this.#hosts.values()];
    this.#hosts.clear();
    await Promise.all(hosts.map((host) => host.terminate(reason)));
  }

  /** Ends the actor that node `index` belongs to (its call timed out: the object is lost). */
  async terminateActorOf(index: number, reason: unknown): Promise<void> {
    const node = this.#plan.nodes[index] as Node;
    const initIndex = node.callable.kind === 'actor-init' ? index : this.#initIndex(node);
    const host = this.#hosts.get(initIndex);
    this.#hosts.delete(initIndex);
    await host?.terminate(reason);
  }

  #initIndex(node: Node): number {
    if (node.callable.kind !== 'actor-call') throw new TypeError(`Node "${node.name}" is not an actor call`);
    return this.#plan.indexOf.get(node.callable.instance) as number;
  }
}
