/**
 * A chain of 50 nodes, each returning a fresh 100 MB Float64Array built from the previous one,
 * on threads. Results are released as soon as their consumer is dispatched, so the peak
 * resident memory stays at a few arrays, not 50. Prints { peakRssMb, arrayMb, nodes }.
 */
import { type Node, ThreadWorkflow } from 'functionfuse';
import { makeArray, successor } from './fixtures/bench-tasks.mjs';

const nodes = 50;
const arrayMb = 100;
let chain: Node<Float64Array> = makeArray((arrayMb * 2 ** 20) / 8);
for (let index = 1; index < nodes; index++) chain = successor(chain);
const workflow = new ThreadWorkflow(chain, { workflowName: 'memory', threads: 2 });
const last = await workflow.run();
await workflow.close();
if (last[0] !== nodes) throw new Error(`unexpected chain result ${last[0]}`);
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify({ peakRssMb, arrayMb, nodes }));
