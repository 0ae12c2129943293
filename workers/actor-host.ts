/**
 * The worker entry of an actor: holds the object for the whole run and runs its calls, one at
 * a time, as the main thread sends them through Comlink; then, told to forget it, waits for the
 * next actor (ThreadWorkflow keeps idle actor threads between runs: threads/actor-host-pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import {
  forgetActor,
  runActorConstruct,
  runActorMethod,
  snapshotActor,
} from '../src/threads/actor-runtime.js';
import { expose, nodeEndpoint, transfer } from '../src/threads/comlink.js';
import type { ActorHostApi, JobOutcome } from '../src/threads/messages.js';
import { markWorkerThread } from '../src/workflow/worker-guard.js';

markWorkerThread();

if (parentPort === null) throw new Error('actor-host.js must run in a worker thread');

/** Sends an outcome back, moving its buffers. */
function reply(outcome: { outcome: JobOutcome; transferables: readonly ArrayBuffer[] }): JobOutcome {
  return transfer(outcome.outcome, [...outcome.transferables]);
}

const api: ActorHostApi = {
  construct: async (call) => reply(await runActorConstruct(call)),
  call: async (call) => reply(await runActorMethod(call)),
  snapshot: async (nodeName) => reply(await snapshotActor(nodeName)),
  forget: async () => forgetActor(),
};

expose(api, nodeEndpoint(parentPort));
