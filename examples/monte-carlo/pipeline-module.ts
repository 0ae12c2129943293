/**
 * The Monte Carlo pipeline as a pipeline module, for the command line: 16 batches of 40,000
 * paths of 100 steps, seeded, so every backend gives the same price to the last bit.
 *
 *   npx functionfuse run examples/monte-carlo/pipeline-module.ts
 *   npx functionfuse bench examples/monte-carlo/pipeline-module.ts --nodes
 */
import { type PipelineGraph, RandomStatePlugin } from 'functionfuse';
import { buildPipeline } from './pipeline.js';

export default function pipeline(): PipelineGraph {
  return {
    leaves: buildPipeline(16, 40_000, 100),
    workflowName: 'monte-carlo',
    setup(workflow) {
      workflow.query('simulate batch .*').setPlugin(new RandomStatePlugin({ seed: 2024 }));
    },
  };
}
