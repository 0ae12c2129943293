/**
 * Where `functionfuse run` hears that it should stop: Ctrl-C (SIGINT) or SIGTERM, straight
 * from the process (runCli in-process) or relayed by the supervising parent of the `run`
 * executable (see run-supervisor.ts), whose own main thread is never blocked by a node.
 */

/**
 * The signals that cancel a run; each ends the command with the code shells give a process
 * ended by it (130, 143).
 *
 * @example
 * const signal: InterruptSignal = 'SIGTERM';
 */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** The signals, in the order their listeners are installed. */
export const interruptSignals: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM'];

/**
 * A source of the first interrupt of a run.
 *
 * @example
 * const stop = interrupts.listen((signal) => controller.abort(signal));
 * try { await workflow.run({ signal: controller.signal }); } finally { stop(); }
 */
export interface InterruptSource {
  /**
   * Calls `listener` once, with the first interrupt (at once when one came before the call);
   * returns a function that stops listening.
   */
  listen(listener: (signal: InterruptSignal) => void): () => void;
}

/**
 * The message the supervising parent sends its `run` child over the IPC channel: the one
 * message between the two processes.
 *
 * @example
 * child.send({ type: 'interrupt', signal: 'SIGINT' } satisfies SupervisorMessage);
 */
export interface SupervisorMessage {
  readonly type: 'interrupt';
  readonly signal: InterruptSignal;
}

/**
 * The process's own SIGINT and SIGTERM, listened to only while a run is under way. The first
 * cancels the run; both listeners are then removed, so a second signal takes Node's default
 * and ends the process at once.
 *
 * @example
 * await runCli(['run', 'pipeline.ts'], processStreams(), { interrupts: processSignals() });
 */
export function processSignals(): InterruptSource {
  return {
    listen(listener) {
      const handlers = interruptSignals.map((signal) => {
        const handler = () => {
          stop();
          listener(signal);
        };
        process.on(signal, handler);
        return [signal, handler] as const;
      });
      const stop = () => {
        for (const [signal, handler] of handlers) process.off(signal, handler);
      };
      return stop;
    },
  };
}

/**
 * The interrupts of a `run` child: messages from its parent, and the signals a terminal sends
 * to the whole process group (the parent relays those too, so duplicates are expected). The
 * first is kept from the start of the process, so an interrupt that came while the pipeline
 * module was imported still cancels the run. Signals never end the child: its parent decides
 * when a second interrupt stops everything at once. A parent that goes away counts as SIGTERM.
 *
 * @example
 * const interrupts = supervisedInterrupts();
 * process.exitCode = await runCli(process.argv.slice(2), processStreams(), { interrupts });
 */
export function supervisedInterrupts(): InterruptSource {
  let first: InterruptSignal | undefined;
  const listeners = new Set<(signal: InterruptSignal) => void>();
  const receive = (signal: InterruptSignal) => {
    if (first !== undefined) return;
    first = signal;
    for (const listener of listeners) listener(signal);
    listeners.clear();
  };
  for (const signal of interruptSignals) process.on(signal, () => receive(signal));
  process.on('message', (message: Partial<SupervisorMessage> | null) => {
    if (message?.type === 'interrupt' && message.signal !== undefined) receive(message.signal);
  });
  process.on('disconnect', () => receive('SIGTERM'));
  // The channel must not keep the child alive once its run is done (the listeners above ref it).
  process.channel?.unref();
  return {
    listen(listener) {
      if (first !== undefined) {
        listener(first);
        return () => {};
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
