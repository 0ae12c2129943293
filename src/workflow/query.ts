import type { Node } from '../graph/node.js';
import type { Plugin } from '../plugins/plugin.js';
import type { NodeOptions } from './node-options.js';

/** What a workflow lets a query change about its nodes. */
export interface NodeSettingsTarget {
  setNodePlugin(node: Node, plugin: Plugin): void;
  setNodeOptions(node: Node, options: NodeOptions): void;
  validatePlugin(plugin: Plugin): void;
  validateOptions(options: NodeOptions): NodeOptions;
  /** Says that a setter set nothing, the query having matched no node (`'setOptions'`, ...). */
  reportUnmatched(setter: string): void;
}

/**
 * The nodes of one workflow that matched a pattern, to configure together. Settings belong to
 * the workflow, not to the nodes: a node shared by two workflows can be set up differently in
 * each.
 *
 * @example
 * wf.query(/train_.*\/).setOptions({ priority: 10 }).setPlugin(new RandomStatePlugin({ seed: 1 }));
 */
export class Query {
  /** The matched nodes, in canonical order. */
  readonly nodes: readonly Node[];
  readonly #target: NodeSettingsTarget;

  /** @internal Workflows build queries: use `workflow.query(pattern)`. */
  constructor(nodes: readonly Node[], target: NodeSettingsTarget) {
    this.nodes = nodes;
    this.#target = target;
  }

  /**
   * Runs `plugin` for each matched node (replacing a plugin set before). A query that matched no
   * node sets nothing, and a `FunctionFuseWarning` (code `FUNCTIONFUSE_UNMATCHED_PATTERN`) says so.
   */
  setPlugin(plugin: Plugin): this {
    this.#target.validatePlugin(plugin);
    if (this.nodes.length === 0) this.#target.reportUnmatched('setPlugin');
    for (const node of this.nodes) this.#target.setNodePlugin(node, plugin);
    return this;
  }

  /**
   * Merges `options` into each matched node's options. A query that matched no node sets
   * nothing, and a `FunctionFuseWarning` (code `FUNCTIONFUSE_UNMATCHED_PATTERN`) says so.
   */
  setOptions(options: NodeOptions): this {
    const validated = this.#target.validateOptions(options);
    if (this.nodes.length === 0) this.#target.reportUnmatched('setOptions');
    for (const node of this.nodes) this.#target.setNodeOptions(node, validated);
    return this;
  }
}
