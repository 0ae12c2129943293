/**
 * A run over an empty plan, made once and kept (util/kept-shapes.ts): it holds one object of
 * every class a run creates (the plan, the core and what it holds, outcomes, timings, events),
 * so that later runs find the hidden classes their code was optimized for, whatever runs were
 * collected in between. Drivers keep one of their own objects built on it.
 */
import { WorkflowEvents } from '../events/workflow-events.js';
import { keepShapes } from '../util/kept-shapes.js';
import { ExecutionPlan } from '../workflow/plan.js';
import { RunCore } from './run-core.js';
import { RunOutcomes } from './run-outcomes.js';
import type { PreparedRun } from './run-setup.js';
import { RunTimings } from './run-timings.js';

let idle: PreparedRun | undefined;

/** The kept run over an empty plan (nothing in it ever runs). */
export function idleRun(): PreparedRun {
  if (idle !== undefined) return idle;
  const plan = new ExecutionPlan([]);
  const events = new WorkflowEvents();
  const outcomes = new RunOutcomes(plan, '', false, events);
  const timings = new RunTimings(events, 0);
  const core = new RunCore({
    plan,
    outcomes,
    timings,
    retries: new Uint32Array(0),
    retryDelays: new Float64Array(0),
    priorities: new Float64Array(0),
    noPriorities: true,
  });
  idle = {
    workflowName: '',
    plan,
    core,
    signal: undefined,
    nodeOptions: [],
    optionsAreDefault: true,
    plugins: [],
    stored: undefined,
    timings,
  };
  keepShapes(idle);
  return idle;
}
