/**
 * Worker side of an actor: the object itself, built and called with the same plugin handling,
 * result checks and error serialization as a task.
 */
import { threadId } from 'node:worker_threads';
import { InternalError } from '../errors.js';
import { callCallable, callMethod, callWithPlugin } from '../executor/call-node.js';
import type { Callable } from '../graph/callable.js';
import { isThenable } from '../util/thenable.js';
import { loadDefinition } from './load-definition.js';
import type {
  ActorConstruct,
  ActorMethodCall,
  JobOutcome,
  RemotePluginCall,
  StartupStep,
} from './messages.js';
import { rebuildPlugin } from './remote-plugin.js';
import { checkedResult } from './run-job.js';
import { serializeThrown } from './serialized-error.js';
import { startupBefore } from './worker-startup.js';

let instance: unknown;
let callable: (Callable & { kind: 'actor-init' }) | undefined;

interface OutcomeToSend {
  readonly outcome: JobOutcome;
  readonly transferables: readonly ArrayBuffer[];
}

export async function runActorConstruct(call: ActorConstruct): Promise<OutcomeToSend> {
  // The thread's start and the class's module import are timed apart from the init node.
  const startup = await startupBefore(call.moduleUrl, call.key);
  return timed(
    startup,
    async () => {
      const definition = await loadDefinition(call.moduleUrl, call.key);
      if (definition.kind !== 'actor') {
        throw new InternalError(`${call.key} in ${call.moduleUrl} is not an actor class`);
      }
      callable = { kind: 'actor-init', actor: definition, baseName: definition.baseName };
      const init = callable;
      instance = await invoke(call.nodeName, call.plugin, () => callCallable(init, call.args, undefined));
      // The init node's value stays here: the main thread only needs to know it succeeded.
      return undefined;
    },
    call.nodeName,
  );
}

export async function runActorMethod(call: ActorMethodCall): Promise<OutcomeToSend> {
  return timed(
    undefined,
    async () => {
      if (callable === undefined)
        throw new InternalError('an actor method was called before its object was built');
      const className = callable.baseName;
      return invoke(call.nodeName, call.plugin, () =>
        callMethod(instance, call.method, className, call.args),
      );
    },
    call.nodeName,
  );
}

/** Drops the object and its class: the thread waits for the next actor's construction. */
export function forgetActor(): void {
  instance = undefined;
  callable = undefined;
}

export function snapshotActor(nodeName: string): Promise<OutcomeToSend> {
  return timed(undefined, async () => ({ ...(instance as object) }), nodeName);
}

async function invoke(
  nodeName: string,
  plugin: RemotePluginCall | undefined,
  call: () => unknown,
): Promise<unknown> {
  if (plugin === undefined) {
    const value = call();
    return isThenable(value) ? await value : value;
  }
  return callWithPlugin(
    nodeName,
    { plugin: await rebuildPlugin(plugin.spec), payload: plugin.payload },
    call,
  );
}

async function timed(
  startup: readonly StartupStep[] | undefined,
  run: () => Promise<unknown>,
  nodeName: string,
): Promise<OutcomeToSend> {
  const started = performance.now();
  const timing = () => ({
    startedAt: performance.timeOrigin + started,
    durationMs: performance.now() - started,
    threadId,
    ...(startup === undefined ? {} : { startup }),
  });
  try {
    const checked = checkedResult(nodeName, await run());
    return checked.ok
      ? { outcome: { ok: true, value: checked.value, ...timing() }, transferables: checked.transferables }
      : { outcome: { ok: false, error: checked.error, ...timing() }, transferables: [] };
  } catch (error) {
    return {
      outcome: { ok: false, error: serializeThrown(error), ...timing() },
      transferables: [],
    };
  }
}
