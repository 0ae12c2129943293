/**
 * Model training with storage: data set → split → train → evaluate, on threads, with every
 * result saved to FileStorage. The second run reads everything and finishes at once; delete
 * the folder (or a node's result) to compute again.
 *
 * Run: npx tsx examples/train/main.ts [--store DIR] [--rows N] [--epochs N]
 */
import { parseArgs } from 'node:util';
import { FileStorage, RandomStatePlugin, ThreadWorkflow } from 'functionfuse';
import { dataset, evaluate, trainModel, trainTestSplit } from '../ml/tasks.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: '.functionfuse-store' },
    rows: { type: 'string', default: '200000' },
    epochs: { type: 'string', default: '8' },
  },
});

const data = dataset('moons', Number(values.rows), 0.2).setName('dataset');
const parts = trainTestSplit(data, 0.2).setName('split');
const model = trainModel('logistic', parts.item('train'), Number(values.epochs)).setName('train');
const score = evaluate(model, parts.item('test')).setName('evaluate');

await using workflow = new ThreadWorkflow(score, { workflowName: 'train' });
workflow.setStorage(new FileStorage(values.store));
workflow.query('dataset').setPlugin(new RandomStatePlugin({ seed: 1 }));
let ran = 0;
let cached = 0;
workflow.on('node-finished', () => ran++);
workflow.on('node-cached', () => cached++);

const started = performance.now();
const result = await workflow.run();
console.log(
  `${result.kind} model: test accuracy ${(result.accuracy * 100).toFixed(2)} % ` +
    `(${ran} nodes ran, ${cached} read from ${values.store}, ${(performance.now() - started).toFixed(0)} ms)`,
);
