/**
 * A node's arguments for a place that holds some or none of its parents' results: a cluster
 * worker (which fills them from Redis, cluster/fill-arguments.ts), or a worker thread running a
 * chain (which fills them from earlier jobs of its batch). References become empty spots and a
 * list of slots saying which parent's result (and which item of it) goes where; references to
 * results known here are resolved. Containers that hold references are copied, so the user's
 * own arrays and objects are never changed; everything else goes as it is.
 */

import type { ArgumentSlot } from '../cluster/cluster-messages.js';
import { FunctionFuseError } from '../errors.js';
import { isWalkable } from '../graph/arguments.js';
import { type Node, Ref, readPath } from '../graph/node.js';
import type { ExecutionPlan } from '../workflow/plan.js';

export interface ArgumentTemplate {
  readonly args: readonly unknown[];
  readonly slots: readonly ArgumentSlot[];
}

/** The result of parent `parent` when it is known where the template is made; undefined for a slot. */
export type KnownResult = (parent: number) => { readonly value: unknown } | undefined;

/**
 * @param known Results to put in place rather than leave to the worker (none by default).
 */
export function argumentTemplate(node: Node, plan: ExecutionPlan, known?: KnownResult): ArgumentTemplate {
  const slots: ArgumentSlot[] = [];
  const slotFor = (ref: Ref, at: readonly (string | number)[]): unknown => {
    const parent = plan.indexOf.get(ref.node) as number;
    const here = known?.(parent);
    if (here !== undefined)
      return ref.path.length === 0 ? here.value : readPath(here.value, ref.path, ref.node.name);
    if (ref.node.callable.kind === 'actor-init') {
      throw new FunctionFuseError(
        `Node "${node.name}" takes the object of actor "${ref.node.name}" as an argument. On BullMQWorkflow an ` +
          "actor's object stays in its worker: call its methods and pass their results instead.",
      );
    }
    slots.push({ at, parent, parentName: ref.node.name, path: ref.path });
    return undefined;
  };
  const args = node.args.map((arg, position) => {
    if (arg instanceof Ref) return slotFor(arg, [position]);
    return node.hasNestedRefs && isWalkable(arg) ? templateOf(arg, [position], slotFor) : arg;
  });
  return { args, slots };
}

/** A copy of `container` with references left empty, or `container` itself when it holds none. */
function templateOf(
  container: Record<PropertyKey, unknown> | unknown[],
  at: readonly (string | number)[],
  slotFor: (ref: Ref, at: readonly (string | number)[]) => unknown,
): unknown {
  let copy: Record<PropertyKey, unknown> | unknown[] | undefined;
  const keys = Array.isArray(container) ? container.keys() : Object.keys(container).values();
  for (const key of keys) {
    const value = (container as Record<PropertyKey, unknown>)[key];
    let replaced: unknown = value;
    if (value instanceof Ref) replaced = slotFor(value, [...at, key]);
    else if (isWalkable(value)) {
      replaced = templateOf(value, [...at, key], slotFor);
    }
    if (replaced !== value) {
      copy ??= Array.isArray(container) ? [...container] : { ...container };
      (copy as Record<PropertyKey, unknown>)[key] = replaced;
    }
  }
  return copy ?? container;
}
