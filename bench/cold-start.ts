/**
 * Time to the first result on a fresh ThreadWorkflow pool, in a process of its own so nothing
 * is warm: `js` uses a JavaScript task module, `ts` a TypeScript one (workers register tsx).
 * Prints { firstResultMs }.
 */
import { ThreadWorkflow } from 'functionfuse';

const kind = process.argv[2];
const started = performance.now();
const { noop } = await import('./fixtures/bench-tasks.mjs');
const { noopTs } = await import('./fixtures/bench-tasks-ts.js');
const node = kind === 'ts' ? noopTs(1) : noop(1);
const workflow = new ThreadWorkflow(node, { workflowName: 'cold-start', threads: 1 });
await workflow.run();
const firstResultMs = performance.now() - started;
await workflow.close();
console.log(JSON.stringify({ firstResultMs }));
