/**
 * Actor threads a ThreadWorkflow keeps between runs. An actor's object lives for one run, but
 * its thread costs a start and the import of its class's module (with tsx, for TypeScript):
 * 0.1–0.3 s, paid by every run that built a fresh one. A thread whose actor has made its last
 * call drops the object and waits here, unref'd, for the next actor of any class; one that
 * died, or was ended (a call past its timeout, a cancellation), is never taken again.
 */
import { ActorHost } from './actor-host.js';

export class ActorHostPool {
  readonly #idle: ActorHost[] = [];
  #closed = false;

  /** A thread for actor `actorName`: an idle one if there is one alive, else a new one. */
  take(actorName: string): ActorHost {
    for (let host = this.#idle.pop(); host !== undefined; host = this.#idle.pop()) {
      if (!host.alive) continue;
      host.hold(actorName);
      return host;
    }
    return new ActorHost(actorName);
  }

  /** The actor of `host` has made its last call: its thread waits for the next, or ends. */
  async giveBack(host: ActorHost): Promise<void> {
    if (this.#closed || !host.alive) {
      await host.terminate();
      return;
    }
    try {
      await host.forget();
    } catch {
      await host.terminate();
      return;
    }
    // The pool may have closed while the object was dropped.
    if (this.#closed) await host.terminate();
    else this.#idle.push(host);
  }

  /** Ends every idle thread; hosts given back afterwards end too. */
  async close(): Promise<void> {
    this.#closed = true;
    const idle = this.#idle.splice(0);
    await Promise.all(idle.map((host) => host.terminate()));
  }
}
