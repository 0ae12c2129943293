import { NodeExecutionError } from '../errors.js';
import { callCallable, callWithPlugin, isThenable } from '../executor/call-node.js';
import { resolveArguments } from '../graph/arguments.js';
import { isActorCallable } from '../graph/callable.js';
import type { Node } from '../graph/node.js';
import type { Leaves, RunResult } from '../graph/types.js';
import { BaseWorkflow } from '../workflow/base-workflow.js';
import type { NamePattern } from '../workflow/pattern.js';
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
  readonly #loggedNodes = new Set<Node>();

  /**
   * Marks the matching nodes as never read from nor saved to storage: they always run (for
   * nodes that log, plot or report, whose effect is the point).
   */
  logNodes(pattern: NamePattern): this {
    for (const node of this.findNodes(pattern)) this.#loggedNodes.add(node);
    return this;
  }

  override async run(): Promise<RunResult<L>> {
    refuseWorkflowInWorker(this.workflowName);
    const plan = this.plan();
    const { workflowName, storage } = this;
    const { nodes, indexOf, parentIndexes, isLeaf } = plan;
    if (storage !== undefined) await storage.newWorkflow(workflowName);
    for (const plugin of this.pluginsOf(plan)) plugin.beginRun();

    const results = new Array<unknown>(nodes.length);
    const remainingConsumers = plan.consumerCounts();
    const resultOf = (node: Node): unknown => results[indexOf.get(node) as number];

    for (let index = 0; index < nodes.length; index++) {
      const node = nodes[index] as Node;
      const cached = storage !== undefined && !this.#loggedNodes.has(node) && !isActorCallable(node.callable);
      if (cached && (await storage.fileExists(workflowName, node.name))) {
        results[index] = await storage.readTask(workflowName, node.name);
      } else {
        let value = this.#execute(node, index, resultOf);
        if (isThenable(value)) value = await value;
        if (cached) {
          await storage.save(workflowName, node.name, value);
          if (storage.alwaysRead) value = await storage.readTask(workflowName, node.name);
        }
        results[index] = value;
      }
      // Release each parent's result once its last consumer has started, unless it is a leaf.
      for (const parent of parentIndexes[index] as Int32Array) {
        if (--(remainingConsumers[parent] as number) === 0 && isLeaf[parent] === 0) {
          results[parent] = undefined;
        }
      }
    }
    return this.collectResults(resultOf);
  }

  #execute(node: Node, index: number, resultOf: (node: Node) => unknown): unknown {
    const { callable } = node;
    try {
      const args = resolveArguments(node, resultOf);
      const instance = callable.kind === 'actor-call' ? resultOf(callable.instance) : undefined;
      const plugin = this.settingsOf(node)?.plugin;
      // Sync nodes without plugins stay off the promise path: it is most of the per-node cost.
      const value =
        plugin === undefined
          ? callCallable(callable, args, instance)
          : callWithPlugin(
              node.name,
              { plugin, payload: plugin.localInitialize({ name: node.name, index }) },
              () => callCallable(callable, args, instance),
            );
      return isThenable(value)
        ? Promise.resolve(value).catch((error: unknown) => {
            throw new NodeExecutionError(node.name, error);
          })
        : value;
    } catch (error) {
      throw new NodeExecutionError(node.name, error);
    }
  }
}
