/**
 * Coordinator side: ready task nodes as cluster jobs. A node's job names its module by a
 * project-relative path and hash (cluster/module-refs.ts), its parents by slot (their results
 * are in Redis), and its plugin with module references instead of file URLs. A batch carries
 * each module and plugin spec once.
 */
import type { ClusterActorJob, ClusterBatch, ClusterNodeJob } from '../cluster/cluster-messages.js';
import type { ModuleRef, ModuleReferrer } from '../cluster/module-refs.js';
import { mapPluginModules } from '../cluster/plugin-modules.js';
import { FunctionFuseError, InternalError } from '../errors.js';
import type { TaskDefinition } from '../graph/callable.js';
import type { Node } from '../graph/node.js';
import type { RemotePluginCall } from '../threads/messages.js';
import type { RemotePluginSpec } from '../threads/remote-plugin.js';
import type { ResolvedNodeOptions } from '../workflow/node-options.js';
import type { ExecutionPlan } from '../workflow/plan.js';
import { checkPlainArguments, taskModuleOf } from './prepared-job.js';
import { argumentTemplate } from './remote-arguments.js';

/** A task node ready to send to the cluster. */
export interface ClusterPreparedJob {
  readonly index: number;
  readonly nodeName: string;
  readonly module: ModuleRef;
  readonly job: Omit<ClusterNodeJob, 'module' | 'plugin'>;
  readonly plugin: RemotePluginCall | undefined;
  /** Must go alone: it has a timeout, or its last batch lost its worker. */
  readonly solo: boolean;
  readonly timeoutMs: number | undefined;
}

/** Prepares jobs for one run: module references and plugin specs are made once per run. */
export class ClusterJobs {
  readonly #plan: ExecutionPlan;
  readonly #referrer: ModuleReferrer;
  readonly #pluginSpecs = new Map<RemotePluginSpec, RemotePluginSpec>();

  constructor(plan: ExecutionPlan, referrer: ModuleReferrer) {
    this.#plan = plan;
    this.#referrer = referrer;
  }

  /**
   * The job of task node `index`.
   *
   * @throws when the node cannot run on the cluster (no module known, an argument that cannot
   *   be sent, a module outside the project root); the driver refuses the node with it.
   */
  prepare(
    index: number,
    options: ResolvedNodeOptions,
    plugin: RemotePluginCall | undefined,
    alone: boolean,
  ): ClusterPreparedJob {
    const node = this.#plan.nodes[index] as Node;
    const definition = node.callable as TaskDefinition;
    const { moduleUrl, key } = taskModuleOf(node, 'cluster workers');
    checkPlainArguments(node);
    const { args, slots } = argumentTemplate(node, this.#plan);
    return {
      index,
      nodeName: node.name,
      module: this.#referrer.refer(moduleUrl, `Task "${definition.baseName}" of node "${node.name}"`),
      job: { index, nodeName: node.name, key, args, slots },
      plugin:
        plugin === undefined
          ? undefined
          : { spec: this.#clusterSpec(plugin.spec, node.name), payload: plugin.payload },
      solo: alone || options.timeout !== undefined,
      timeoutMs: options.timeout,
    };
  }

  /**
   * The job of actor node `index` (its init or a method call); `end` when it is the actor's
   * last node in the workflow.
   */
  actorJob(
    runId: string,
    index: number,
    options: ResolvedNodeOptions,
    plugin: RemotePluginCall | undefined,
    end: ClusterActorJob['end'],
  ): ClusterActorJob {
    const plan = this.#plan;
    const node = plan.nodes[index] as Node;
    const { callable } = node;
    if (callable.kind !== 'actor-init' && callable.kind !== 'actor-call') {
      throw new InternalError(`node "${node.name}" is not an actor node`);
    }
    checkPlainArguments(node);
    const { args, slots } = argumentTemplate(node, plan);
    const common = {
      runId,
      index,
      nodeName: node.name,
      args,
      slots,
      ...(plugin === undefined
        ? {}
        : { plugin: { spec: this.#clusterSpec(plugin.spec, node.name), payload: plugin.payload } }),
      ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
      ...(end === undefined ? {} : { end }),
    };
    if (callable.kind === 'actor-call') {
      return {
        ...common,
        kind: 'call',
        actor: plan.indexOf.get(callable.instance) as number,
        method: callable.method,
      };
    }
    const { moduleUrl, key } = callable.actor.location;
    if (moduleUrl === undefined) {
      throw new FunctionFuseError(
        `Actor class "${callable.actor.baseName}" has no known module, so cluster workers cannot load it: ` +
          'pass { module: import.meta.url } to actor().',
      );
    }
    const module = this.#referrer.refer(
      moduleUrl,
      `Actor class "${callable.actor.baseName}" of node "${node.name}"`,
    );
    return { ...common, kind: 'init', actor: index, module, key };
  }

  /** One job's payload for a batch of prepared nodes. */
  compose(runId: string, batch: readonly ClusterPreparedJob[]): ClusterBatch {
    const modules = new Map<ModuleRef, number>();
    const plugins = new Map<RemotePluginSpec, number>();
    const jobs = batch.map((prepared): ClusterNodeJob => {
      let module = modules.get(prepared.module);
      if (module === undefined) {
        module = modules.size;
        modules.set(prepared.module, module);
      }
      if (prepared.plugin === undefined) return { ...prepared.job, module };
      let spec = plugins.get(prepared.plugin.spec);
      if (spec === undefined) {
        spec = plugins.size;
        plugins.set(prepared.plugin.spec, spec);
      }
      return { ...prepared.job, module, plugin: { spec, payload: prepared.plugin.payload } };
    });
    const lone = batch.length === 1 ? (batch[0] as ClusterPreparedJob) : undefined;
    return {
      runId,
      jobs,
      modules: [...modules.keys()],
      plugins: [...plugins.keys()],
      ...(lone?.timeoutMs === undefined ? {} : { timeoutMs: lone.timeoutMs }),
    };
  }

  /** The plugin's spec with module references (as JSON text) where it had file URLs. */
  #clusterSpec(spec: RemotePluginSpec, nodeName: string): RemotePluginSpec {
    let converted = this.#pluginSpecs.get(spec);
    if (converted === undefined) {
      converted = mapPluginModules(spec, (moduleUrl) =>
        JSON.stringify(this.#referrer.refer(moduleUrl, `A plugin of node "${nodeName}"`)),
      );
      this.#pluginSpecs.set(spec, converted);
    }
    return converted;
  }
}
