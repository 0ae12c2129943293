/**
 * Model comparison, as in the original's classifier example: 3 data sets × 4 models, every
 * trained model stored under the name "<data set>, <model>-model", then gathered afterwards
 * from storage with listTasks(workflow, '*model'), with no graph at hand.
 *
 * Run: npx tsx examples/compare/main.ts [--store DIR] [--rows N]
 */
import { parseArgs } from 'node:util';
import { FileStorage, type Node, RandomStatePlugin, ThreadWorkflow } from 'functionfuse';
import type { DatasetKind } from '../ml/data.js';
import { accuracy, type Model, type ModelKind } from '../ml/models.js';
import { dataset, evaluate, trainModel, trainTestSplit } from '../ml/tasks.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: '.functionfuse-store' },
    rows: { type: 'string', default: '4000' },
  },
});
const datasets: DatasetKind[] = ['blobs', 'moons', 'circles'];
const models: ModelKind[] = ['logistic', 'perceptron', 'nearest-centroid', 'knn'];

const scores: Node<{ kind: ModelKind; accuracy: number }>[] = [];
for (const kind of datasets) {
  const data = dataset(kind, Number(values.rows), 0.25).setName(`${kind} data`);
  const parts = trainTestSplit(data, 0.25).setName(`${kind} split`);
  for (const modelKind of models) {
    const model = trainModel(modelKind, parts.item('train'), 5).setName(`${kind}, ${modelKind}-model`);
    scores.push(evaluate(model, parts.item('test')).setName(`${kind}, ${modelKind}-score`));
  }
}

const storage = new FileStorage(values.store);
await using workflow = new ThreadWorkflow(scores, { workflowName: 'compare' });
workflow.setStorage(storage);
workflow.query('.* data').setPlugin(new RandomStatePlugin({ seed: 3 }));
await workflow.run();

// Later, perhaps in another script: gather every stored model by name.
const names = await storage.listTasks('compare', '*model');
console.log(`${names.length} models stored:`);
for (const name of names) {
  const model = (await storage.readTask('compare', name)) as Model;
  const [kind] = name.split(',') as [DatasetKind];
  const { test } = (await storage.readTask('compare', `${kind} split`)) as {
    test: Parameters<typeof accuracy>[1];
  };
  console.log(`  ${name.padEnd(32)} accuracy ${(accuracy(model, test) * 100).toFixed(1)} %`);
}
