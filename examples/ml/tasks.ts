/** The machine-learning examples' tasks: a module of its own, so worker threads can load it. */
import { task } from 'functionfuse';
import { type DatasetKind, makeDataset, split } from './data.js';
import { accuracy, type ModelKind, train } from './models.js';

export const dataset = task(function dataset(kind: DatasetKind, rows: number, noise: number) {
  return makeDataset(kind, rows, noise);
});

export const trainTestSplit = task(split);

export const trainModel = task(function trainModel(
  kind: ModelKind,
  data: ReturnType<typeof split>['train'],
  epochs: number,
) {
  return train(kind, data, epochs);
});

export const evaluate = task(function evaluate(
  model: ReturnType<typeof train>,
  test: ReturnType<typeof split>['test'],
) {
  return { kind: model.kind, accuracy: accuracy(model, test) };
});
