import type { NodeContext } from './node-context.js';

/** What a plugin is told about the node it prepares, in the main thread. */
export interface PluginNodeInfo {
  readonly name: string;
  /** The node's position in the workflow's canonical order. */
  readonly index: number;
}

/** Undoes what `remoteInitialize` did, after the node's function has settled. */
export type PluginCleanup = () => void;

/** What `remoteInitialize` may return: nothing, or a cleanup, possibly after a promise. */
export type RemoteInitializeResult = void | PluginCleanup | Promise<void | PluginCleanup>;

/**
 * Prepares the place a node runs, just before the node's function. Subclass it and override
 * what you need.
 *
 * - `beginRun()` runs once per run, before any node: reset per-run state here, so a workflow
 *   gives the same results every time it runs.
 * - `localInitialize(node)` runs in the main thread, in canonical order; what it returns is
 *   handed to `remoteInitialize` (on threads it must survive structured cloning).
 * - `remoteInitialize(payload, context)` runs where the node runs; it may return a cleanup that
 *   runs after the node.
 *
 * @example
 * class Timer extends Plugin<number> {
 *   override localInitialize() { return Date.now(); }
 *   override remoteInitialize(queuedAt: number) { console.log('waited', Date.now() - queuedAt); }
 * }
 */
export class Plugin<Payload = unknown> {
  beginRun(): void {}

  localInitialize(_node: PluginNodeInfo): Payload {
    return undefined as Payload;
  }

  remoteInitialize(_payload: Payload, _context: NodeContext): RemoteInitializeResult {}
}

/** Type guard for objects usable as plugins (they need not extend {@link Plugin}). */
export function isPlugin(value: unknown): value is Plugin {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.beginRun === 'function' &&
    typeof candidate.localInitialize === 'function' &&
    typeof candidate.remoteInitialize === 'function'
  );
}

/** A node's plugin where the node runs: the plugin and what its `localInitialize` returned. */
export interface PreparedPlugin {
  readonly plugin: Plugin;
  readonly payload: unknown;
}
