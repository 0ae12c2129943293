/**
 * The Monte Carlo pipeline as a graph: `batches` independent simulations, each priced, then
 * combined; plus the exact price to compare with. Building it runs nothing.
 */
import type { Node } from 'functionfuse';
import {
  blackScholes,
  callPayoffs,
  combine,
  type OptionSpec,
  type PayoffMoments,
  simulatePaths,
} from './tasks.js';

export const option: OptionSpec = { spot: 100, strike: 105, rate: 0.03, volatility: 0.25, maturity: 1 };

export function buildPipeline(batches: number, pathsPerBatch: number, steps: number) {
  const moments: Node<PayoffMoments>[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const terminal = simulatePaths(option, pathsPerBatch, steps).setName(`simulate batch ${batch}`);
    moments.push(callPayoffs(option, terminal).setName(`payoffs batch ${batch}`));
  }
  const estimate = combine(moments).setName('estimate');
  const exact = blackScholes(option).setName('exact price');
  return [estimate, exact] as const;
}
