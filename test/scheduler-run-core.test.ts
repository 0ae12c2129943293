/**
 * The run core without threads, pools or files: events in, instructions and states out, as
 * dask tests its worker state machine. Nodes are real graph nodes; nothing ever runs them.
 */
import { describe, expect, it } from 'vitest';
import { WorkflowEvents } from '../src/events/workflow-events.js';
import { actor, InternalError, type Node, task } from '../src/index.js';
import { NODE_STATE_NAMES } from '../src/scheduler/node-state.js';
import { RunCore } from '../src/scheduler/run-core.js';
import type { RunInstruction } from '../src/scheduler/run-events.js';
import { RunOutcomes } from '../src/scheduler/run-outcomes.js';
import { RunTimings } from '../src/scheduler/run-timings.js';
import { ExecutionPlan } from '../src/workflow/plan.js';

const step = task(function coreStep(...inputs: number[]) {
  return inputs.length;
});

const Counter = actor(
  class CoreCounter {
    constructor(public total: number) {}
    add(amount: number) {
      this.total += amount;
      return this.total;
    }
  },
);

interface CoreSetup {
  readonly stored?: readonly string[];
  readonly saved?: readonly string[];
  readonly retries?: Readonly<Record<string, number>>;
  readonly priorities?: Readonly<Record<string, number>>;
  readonly failFast?: boolean;
}

/** A core over `leaves`, plus helpers to speak to it by node name. */
function coreFor(leaves: readonly Node[], setup: CoreSetup = {}) {
  const plan = new ExecutionPlan(leaves);
  const names = plan.nodes.map((node) => node.name);
  const byName = (name: string) => {
    const index = names.indexOf(name);
    if (index < 0) throw new Error(`no node ${name}`);
    return index;
  };
  const events = new WorkflowEvents();
  const outcomes = new RunOutcomes(plan, 'core', setup.failFast ?? true, events);
  const core = new RunCore({
    plan,
    outcomes,
    timings: new RunTimings(events, names.length),
    retries: Uint32Array.from(names, (name) => setup.retries?.[name] ?? 0),
    retryDelays: Float64Array.from(names, () => 5),
    priorities: Float64Array.from(names, (name) => setup.priorities?.[name] ?? 0),
    mayBeStored: (index) => setup.stored?.includes(names[index] as string) ?? false,
    isSaved: (index) => setup.saved?.includes(names[index] as string) ?? false,
  });
  const state = (name: string) => NODE_STATE_NAMES[core.stateOf(byName(name))];
  const said = (instructions: readonly RunInstruction[]) =>
    instructions.map((instruction) =>
      'index' in instruction ? `${instruction.kind} ${names[instruction.index]}` : instruction.kind,
    );
  const take = () => {
    const index = core.takeReady();
    return index === undefined ? undefined : names[index];
  };
  return { core, events, byName, state, said, take, names };
}

describe('the run core', () => {
  it('walks a chain with a stored and a saved node through every state', () => {
    const a = step().setName('a');
    const b = step(a).setName('b');
    const c = step(b).setName('c');
    const { core, byName, state, said, take } = coreFor([c], { stored: ['b'], saved: ['b', 'c'] });
    expect(said(core.handle({ kind: 'start' }))).toEqual([]);
    expect([state('a'), state('b'), state('c')]).toEqual(['ready', 'waiting', 'waiting']);
    expect(take()).toBe('a');
    expect(state('a')).toBe('running');
    expect(said(core.handle({ kind: 'attempt-succeeded', index: byName('a') }))).toEqual(['read-stored b']);
    expect(state('b')).toBe('looking-up');
    expect(said(core.handle({ kind: 'stored-missing', index: byName('b') }))).toEqual([]);
    expect(take()).toBe('b');
    expect(said(core.handle({ kind: 'attempt-succeeded', index: byName('b') }))).toEqual(['save b']);
    expect(state('b')).toBe('saving');
    expect(state('c')).toBe('waiting');
    expect(said(core.handle({ kind: 'saved', index: byName('b') }))).toEqual([]);
    expect(take()).toBe('c');
    expect(said(core.handle({ kind: 'attempt-succeeded', index: byName('c') }))).toEqual(['save c']);
    expect(said(core.handle({ kind: 'saved', index: byName('c') }))).toEqual(['settle']);
    expect(core.finalError()).toBeUndefined();
  });

  it('reads a stored result instead of running, and its children go on', () => {
    const a = step().setName('a');
    const b = step(a).setName('b');
    const { core, byName, state, said, take } = coreFor([b], { stored: ['a'] });
    expect(said(core.handle({ kind: 'start' }))).toEqual(['read-stored a']);
    expect(take()).toBeUndefined();
    core.handle({ kind: 'stored-found', index: byName('a') });
    expect(state('a')).toBe('done');
    expect(take()).toBe('b');
    expect(said(core.handle({ kind: 'attempt-succeeded', index: byName('b') }))).toEqual(['settle']);
  });

  it('retries after the delay, then fails for good and skips what depends on it', () => {
    const a = step().setName('a');
    const b = step(a).setName('b');
    const other = step().setName('other');
    const { core, byName, state, said, take } = coreFor([b, other], { retries: { a: 1 }, failFast: false });
    core.handle({ kind: 'start' });
    expect(take()).toBe('a');
    expect(
      said(core.handle({ kind: 'attempt-failed', index: byName('a'), error: new Error('one') })),
    ).toEqual(['retry-later a']);
    expect(state('a')).toBe('retry-wait');
    expect(take()).toBe('other');
    core.handle({ kind: 'attempt-succeeded', index: byName('other') });
    core.handle({ kind: 'retry-due', index: byName('a') });
    expect(state('a')).toBe('ready');
    expect(take()).toBe('a');
    expect(core.attemptsOf(byName('a'))).toBe(2);
    expect(
      said(core.handle({ kind: 'attempt-failed', index: byName('a'), error: new Error('two') })),
    ).toEqual(['settle']);
    expect([state('a'), state('b'), state('other')]).toEqual(['failed', 'skipped', 'done']);
    expect(core.finalError()?.message).toBe('Workflow "core": 1 node failed ("a"), 1 skipped');
  });

  it("gives a lost worker's node back to the ready queue without counting the attempt", () => {
    const a = step().setName('a');
    const { core, byName, state, take } = coreFor([a]);
    core.handle({ kind: 'start' });
    take();
    core.handle({ kind: 'worker-lost', index: byName('a') });
    expect(state('a')).toBe('ready');
    expect(core.attemptsOf(byName('a'))).toBe(0);
    expect(take()).toBe('a');
    expect(core.attemptsOf(byName('a'))).toBe(1);
  });

  it('dispatches in priority order, then canonical order', () => {
    const nodes = ['p0', 'p1', 'p2', 'p3'].map((name) => step().setName(name));
    const { core, take } = coreFor(nodes, { priorities: { p2: 5, p3: 1 } });
    core.handle({ kind: 'start' });
    expect([take(), take(), take(), take(), take()]).toEqual(['p2', 'p3', 'p0', 'p1', undefined]);
  });

  it('on cancellation stops what runs, cancels what waits, and settles once the running report back', () => {
    const a = step().setName('a');
    const b = step(a).setName('b');
    const flaky = step().setName('flaky');
    const idle = step().setName('idle');
    const { core, byName, state, said, take } = coreFor([b, flaky, idle], { retries: { flaky: 3 } });
    core.handle({ kind: 'start' });
    expect(take()).toBe('a');
    expect(take()).toBe('flaky');
    core.handle({ kind: 'attempt-failed', index: byName('flaky'), error: new Error('x') });
    expect(said(core.handle({ kind: 'cancel', reason: new Error('stop') }))).toEqual(['stop-running']);
    expect([state('flaky'), state('idle')]).toEqual(['cancelled', 'cancelled']);
    expect(take()).toBeUndefined();
    // The timer of the retry may still fire: it changes nothing.
    expect(said(core.handle({ kind: 'retry-due', index: byName('flaky') }))).toEqual([]);
    expect(said(core.handle({ kind: 'attempt-stopped', index: byName('a') }))).toEqual(['settle']);
    expect([state('a'), state('b')]).toEqual(['cancelled', 'cancelled']);
    expect(core.finalError()?.name).toBe('AbortError');
  });

  it('keeps a result computed just before a cancellation: the node completes and is saved', () => {
    const a = step().setName('a');
    const { core, byName, state, said, take } = coreFor([a], { saved: ['a'] });
    core.handle({ kind: 'start' });
    take();
    core.handle({ kind: 'cancel', reason: 'stop' });
    expect(said(core.handle({ kind: 'attempt-succeeded', index: byName('a') }))).toEqual(['save a']);
    expect(said(core.handle({ kind: 'saved', index: byName('a') }))).toEqual(['settle']);
    expect(state('a')).toBe('done');
  });

  it('under failFast lets running nodes finish, skips the rest, and rejects with the first failure', () => {
    const bad = step().setName('bad');
    const running = step().setName('running');
    const queued = step().setName('queued');
    const later = step(running).setName('later');
    const { core, byName, state, said, take } = coreFor([bad, later, queued]);
    core.handle({ kind: 'start' });
    take();
    take();
    expect(said(core.handle({ kind: 'refused', index: byName('bad'), error: new Error('no') }))).toEqual([]);
    expect(state('queued')).toBe('skipped');
    expect(said(core.handle({ kind: 'attempt-succeeded', index: byName('running') }))).toEqual(['settle']);
    expect([state('running'), state('later')]).toEqual(['done', 'skipped']);
    expect(core.finalError()?.message).toBe('Node "bad" failed: Error: no');
  });

  it('calls actor nodes as soon as they are ready, in call order, and never retries them', () => {
    const counter = Counter(1).setName('counter');
    const first = counter.add(1).setName('first');
    const { core, byName, said } = coreFor([first], { retries: { first: 3 } });
    expect(said(core.handle({ kind: 'start' }))).toEqual(['call-actor counter']);
    expect(said(core.handle({ kind: 'attempt-succeeded', index: byName('counter') }))).toEqual([
      'call-actor first',
    ]);
    expect(
      said(core.handle({ kind: 'attempt-failed', index: byName('first'), error: new Error('x') })),
    ).toEqual(['settle']);
  });

  it('refuses an illegal transition with an InternalError naming the node, its state, the event and its story', () => {
    const a = step().setName('a');
    const b = step(a).setName('b');
    const { core, byName, take } = coreFor([b]);
    core.handle({ kind: 'start' });
    take();
    expect(() => core.handle({ kind: 'saved', index: byName('a') })).toThrow(InternalError);
    expect(() => core.handle({ kind: 'saved', index: byName('a') })).toThrow(
      'the run core got "saved" for node "a" in state running (history: waiting -> ready (parents-done), ready -> running (take-ready))',
    );
  });

  it('refuses every event a state does not allow', () => {
    const legal: Record<string, readonly string[]> = {
      waiting: [],
      'looking-up': ['stored-found', 'stored-missing', 'stored-failed'],
      ready: [],
      running: ['attempt-succeeded', 'attempt-failed', 'worker-lost', 'attempt-stopped', 'refused'],
      'retry-wait': ['retry-due'],
      saving: ['saved', 'save-failed'],
      done: [],
    };
    const nodeEvents = [
      'stored-found',
      'stored-missing',
      'stored-failed',
      'attempt-succeeded',
      'attempt-failed',
      'worker-lost',
      'attempt-stopped',
      'refused',
      'retry-due',
      'saved',
      'save-failed',
    ] as const;
    for (const [stateName, allowed] of Object.entries(legal)) {
      for (const kind of nodeEvents) {
        const { core, index } = coreInState(stateName);
        const event = { kind, index, error: new Error('x') } as Parameters<RunCore['handle']>[0];
        if (allowed.includes(kind)) expect(() => core.handle(event), `${kind} in ${stateName}`).not.toThrow();
        else expect(() => core.handle(event), `${kind} in ${stateName}`).toThrow(InternalError);
      }
    }
  });
});

/** A fresh core whose node `x` is in the named state (its parent `p` is there to hold it waiting). */
function coreInState(stateName: string): { core: RunCore; index: number } {
  const p = step().setName('p');
  const x = step(p).setName('x');
  const setup = coreFor([x], {
    stored: stateName === 'looking-up' ? ['x'] : [],
    saved: stateName === 'saving' ? ['x'] : [],
    retries: stateName === 'retry-wait' ? { x: 1 } : {},
  });
  const { core, byName } = setup;
  const index = byName('x');
  core.handle({ kind: 'start' });
  core.takeReady();
  if (stateName === 'waiting') return { core, index };
  core.handle({ kind: 'attempt-succeeded', index: byName('p') });
  if (stateName === 'looking-up' || stateName === 'ready') return { core, index };
  core.takeReady();
  if (stateName === 'running') return { core, index };
  if (stateName === 'retry-wait') core.handle({ kind: 'attempt-failed', index, error: new Error('x') });
  else core.handle({ kind: 'attempt-succeeded', index });
  expect(NODE_STATE_NAMES[core.stateOf(index)]).toBe(stateName);
  return { core, index };
}
