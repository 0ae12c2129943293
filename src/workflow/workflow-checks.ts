/**
 * What BaseWorkflow checks of what it is given: the leaves, the options (workflow name and the
 * backend's option names) and plugins set through queries.
 */
import { describeValue } from '../errors.js';
import { actorHandleNode } from '../graph/actor-handle-mark.js';
import { Ref } from '../graph/node.js';
import type { Leaves } from '../graph/types.js';
import { refuseUnknownKeys } from '../options/unknown-keys.js';
import { isPlugin, type Plugin } from '../plugins/plugin.js';
import type { WorkflowOptions } from './base-workflow.js';
import { threadWorkflowOptionNames } from './thread-workflow-options.js';

/** The leaves as an array of references; refuses anything else, saying what it got. */
export function validateLeaves(leaves: Leaves): readonly Ref[] {
  if (leaves instanceof Ref) return [leaves];
  if (!Array.isArray(leaves) || leaves.length === 0) {
    throw new TypeError(
      `Expected \`leaves\` to be a node, an item, or a non-empty array of them, got ${describeLeaf(leaves)}`,
    );
  }
  leaves.forEach((leaf, index) => {
    if (!(leaf instanceof Ref)) {
      throw new TypeError(`Expected \`leaves[${index}]\` to be a node or an item, got ${describeLeaf(leaf)}`);
    }
  });
  return [...leaves];
}

/** Says what a wrong leaf is; an actor handle gets its fix, since it looks like a node. */
function describeLeaf(value: unknown): string {
  const initNode = actorHandleNode(value);
  if (initNode === undefined) return describeValue(value);
  return `the handle of actor "${initNode.name}": pass \`handle.node\` for its object, or the result of one of its methods`;
}

/** The workflow name; refuses unknown option keys (ThreadWorkflow's are known everywhere). */
export function validateWorkflowName(
  options: WorkflowOptions,
  backend: string,
  backendOptions: readonly string[],
): string {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `Expected workflow options to be an object like { workflowName: 'demo' }, got ${describeValue(options)}`,
    );
  }
  const known = new Set(['workflowName', ...backendOptions, ...threadWorkflowOptionNames]);
  refuseUnknownKeys(options, [...known], `${backend} option`);
  const { workflowName } = options;
  if (typeof workflowName !== 'string' || workflowName.length === 0) {
    throw new TypeError(
      `Expected \`workflowName\` to be a non-empty string, got ${describeValue(workflowName)}`,
    );
  }
  return workflowName;
}

/** Refuses what is not a plugin. */
export function validatePlugin(plugin: Plugin): void {
  if (!isPlugin(plugin)) {
    throw new TypeError(
      `Expected \`plugin\` to be a Plugin (beginRun, localInitialize, remoteInitialize), got ${describeValue(plugin)}`,
    );
  }
}
