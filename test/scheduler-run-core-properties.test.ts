/**
 * The run core over random DAGs and random interleavings of events: completions out of order,
 * failures, lost workers, stored results, saves that fail, cancellation at any point. Whatever
 * happens, the run settles exactly once, every node ends in exactly one final state, no node
 * completes twice, no node starts before its parents are done, and retries stay within bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkflowEvents } from '../src/events/workflow-events.js';
import { type Node, task } from '../src/index.js';
import { isFinal, NodeState } from '../src/scheduler/node-state.js';
import { RunCore } from '../src/scheduler/run-core.js';
import type { RunEvent, RunInstruction } from '../src/scheduler/run-events.js';
import { RunOutcomes } from '../src/scheduler/run-outcomes.js';
import { RunTimings } from '../src/scheduler/run-timings.js';
import { ExecutionPlan } from '../src/workflow/plan.js';

const join = task(function propertyJoin(...inputs: unknown[]) {
  return inputs.length;
});

interface Scenario {
  readonly parents: readonly (readonly number[])[];
  readonly retries: readonly number[];
  readonly stored: readonly boolean[];
  readonly saved: readonly boolean[];
  readonly failFast: boolean;
  /** Random choices that pick what happens next. */
  readonly choices: readonly number[];
}

const scenario = fc.integer({ min: 1, max: 25 }).chain((size) =>
  fc.record({
    parents: fc.tuple(
      ...Array.from({ length: size }, (_, index) =>
        fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, index - 1) }), {
          maxLength: index === 0 ? 0 : 3,
        }),
      ),
    ),
    retries: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: size, maxLength: size }),
    stored: fc.array(fc.boolean(), { minLength: size, maxLength: size }),
    saved: fc.array(fc.boolean(), { minLength: size, maxLength: size }),
    failFast: fc.boolean(),
    choices: fc.array(fc.nat(), { minLength: 400, maxLength: 400 }),
  }),
);

/** What the simulated driver has under way: each item will come back as one event. */
type Outstanding =
  | { readonly kind: 'running'; readonly index: number }
  | { readonly kind: 'lookup'; readonly index: number }
  | { readonly kind: 'save'; readonly index: number }
  | { readonly kind: 'retry'; readonly index: number };

function simulate(spec: Scenario) {
  const nodes: Node[] = [];
  spec.parents.forEach((parents, index) => {
    nodes.push(join(...parents.map((parent) => nodes[parent] as Node)).setName(`n${index}`));
  });
  const plan = new ExecutionPlan(nodes);
  const at = (index: number) => plan.indexOf.get(nodes[index] as Node) as number;
  const specOf = new Map(nodes.map((node, position) => [plan.indexOf.get(node) as number, position]));
  const outcomes = new RunOutcomes(plan, 'property', spec.failFast);
  const core = new RunCore({
    plan,
    outcomes,
    timings: new RunTimings(new WorkflowEvents(), nodes.length),
    retries: Uint32Array.from(plan.nodes, (_, index) => spec.retries[specOf.get(index) as number] ?? 0),
    retryDelays: new Float64Array(nodes.length),
    priorities: new Float64Array(nodes.length),
    mayBeStored: (index) => spec.stored[specOf.get(index) as number] ?? false,
    isSaved: (index) => spec.saved[specOf.get(index) as number] ?? false,
  });
  let choice = 0;
  const next = (bound: number) => {
    const value = spec.choices[choice % spec.choices.length] as number;
    choice++;
    return value % bound;
  };
  const outstanding: Outstanding[] = [];
  const completions = new Int32Array(nodes.length);
  const lostWorkers = new Int32Array(nodes.length);
  let settles = 0;
  let cancelled = false;
  const startedBeforeParents: string[] = [];
  const apply = (instructions: readonly RunInstruction[]) => {
    for (const instruction of instructions) {
      if (instruction.kind === 'settle') settles++;
      else if (instruction.kind === 'read-stored')
        outstanding.push({ kind: 'lookup', index: instruction.index });
      else if (instruction.kind === 'save') outstanding.push({ kind: 'save', index: instruction.index });
      else if (instruction.kind === 'retry-later')
        outstanding.push({ kind: 'retry', index: instruction.index });
      else if (instruction.kind === 'call-actor')
        outstanding.push({ kind: 'running', index: instruction.index });
    }
  };
  const tell = (event: RunEvent) => apply(core.handle(event));
  tell({ kind: 'start' });
  for (let steps = 0; settles === 0 && steps < 10_000; steps++) {
    const roll = next(20);
    if (roll === 0 && !cancelled && next(8) === 0) {
      cancelled = true;
      tell({ kind: 'cancel', reason: 'stop' });
      continue;
    }
    if (roll < 8 && core.readyCount > 0) {
      const index = core.takeReady() as number;
      for (const parent of plan.parentIndexes[index] as Int32Array) {
        if (core.stateOf(parent) !== NodeState.done) startedBeforeParents.push(plan.nodes[index]?.name ?? '');
      }
      outstanding.push({ kind: 'running', index });
      continue;
    }
    if (outstanding.length === 0) {
      if (core.readyCount > 0) continue;
      break; // nothing can happen any more: the run must have settled
    }
    const [item] = outstanding.splice(next(outstanding.length), 1) as [Outstanding];
    const { index } = item;
    if (item.kind === 'retry') {
      tell({ kind: 'retry-due', index });
    } else if (item.kind === 'lookup') {
      const found = next(3);
      tell(
        found === 0
          ? { kind: 'stored-found', index }
          : found === 1
            ? { kind: 'stored-missing', index }
            : { kind: 'stored-failed', index, error: new Error('unreadable') },
      );
      if (found === 0) completions[index] = (completions[index] as number) + 1;
    } else if (item.kind === 'save') {
      tell(
        next(6) === 0
          ? { kind: 'save-failed', index, error: new Error('disk full') }
          : { kind: 'saved', index },
      );
    } else if (core.stateOf(index) === NodeState.running) {
      const outcome = next(10);
      if (cancelled && outcome < 3) tell({ kind: 'attempt-stopped', index });
      else if (outcome < 2) tell({ kind: 'attempt-failed', index, error: new Error('boom') });
      else if (outcome === 2 && plan.nodes[index]?.callable.kind === 'task') {
        lostWorkers[index] = (lostWorkers[index] as number) + 1;
        tell({ kind: 'worker-lost', index });
      } else {
        completions[index] = (completions[index] as number) + 1;
        tell({ kind: 'attempt-succeeded', index });
      }
    }
  }
  return { plan, core, settles, completions, startedBeforeParents, at, spec, cancelled };
}

describe('the run core, over random DAGs and interleavings', () => {
  it('always settles once, with every node in one final state, none completed twice', () => {
    fc.assert(
      fc.property(scenario, (spec) => {
        const { plan, core, settles, completions, startedBeforeParents, cancelled } = simulate(spec);
        expect(settles).toBe(1);
        expect(startedBeforeParents).toEqual([]);
        for (let index = 0; index < plan.nodes.length; index++) {
          const state = core.stateOf(index);
          expect(isFinal(state), `${plan.nodes[index]?.name} ends final`).toBe(true);
          expect(completions[index] as number).toBeLessThanOrEqual(1);
          // Attempts: the first and one per allowed retry; lost workers' do not count.
          const position = Number(plan.nodes[index]?.name.slice(1));
          expect(core.attemptsOf(index)).toBeLessThanOrEqual((spec.retries[position] as number) + 1);
          if (state === NodeState.done) {
            for (const parent of plan.parentIndexes[index] as Int32Array) {
              expect(core.stateOf(parent)).toBe(NodeState.done);
            }
          }
        }
        // A run whose signal fired rejects as cancelled, even if its last nodes still completed.
        const error = core.finalError();
        const allDone = plan.nodes.every((_, index) => core.stateOf(index) === NodeState.done);
        if (cancelled) expect(error?.name).toBe('AbortError');
        else expect(error === undefined).toBe(allDone);
      }),
      { numRuns: 400 },
    );
  });
});
