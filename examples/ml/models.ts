/**
 * Small classifiers in pure TypeScript over typed arrays. A trained model is plain data (typed
 * arrays and numbers), so it crosses threads and goes to storage as it is.
 */
import type { Dataset } from './data.js';

export type ModelKind = 'logistic' | 'nearest-centroid' | 'perceptron' | 'knn';

export interface Model {
  readonly kind: ModelKind;
  /** Weights (logistic, perceptron: one per feature plus a bias) or stored points (knn, centroids). */
  readonly parameters: Float64Array;
  readonly labels: Uint8Array;
}

/** Polynomial features (a, b, a², b², ab), so linear models can bend. */
function expand(x: Float64Array, row: number): number[] {
  const a = x[row * 2] as number;
  const b = x[row * 2 + 1] as number;
  return [a, b, a * a, b * b, a * b];
}

export function train(kind: ModelKind, data: Dataset, epochs: number): Model {
  const rows = data.y.length;
  if (kind === 'logistic' || kind === 'perceptron') {
    const weights = new Float64Array(6);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const rate = 0.5 / (1 + epoch);
      for (let row = 0; row < rows; row++) {
        const inputs = expand(data.x, row);
        let score = weights[5] as number;
        for (let index = 0; index < 5; index++)
          score += (weights[index] as number) * (inputs[index] as number);
        const target = data.y[row] as number;
        const error =
          kind === 'logistic' ? target - 1 / (1 + Math.exp(-score)) : target - (score > 0 ? 1 : 0);
        for (let index = 0; index < 5; index++)
          weights[index] = (weights[index] as number) + rate * error * (inputs[index] as number);
        weights[5] = (weights[5] as number) + rate * error;
      }
    }
    return { kind, parameters: weights, labels: new Uint8Array() };
  }
  if (kind === 'nearest-centroid') {
    const sums = new Float64Array(4);
    const counts = [0, 0];
    for (let row = 0; row < rows; row++) {
      const label = data.y[row] as number;
      sums[label * 2] = (sums[label * 2] as number) + (data.x[row * 2] as number);
      sums[label * 2 + 1] = (sums[label * 2 + 1] as number) + (data.x[row * 2 + 1] as number);
      counts[label] = (counts[label] as number) + 1;
    }
    for (let index = 0; index < 4; index++)
      sums[index] = (sums[index] as number) / Math.max(1, counts[index >> 1] as number);
    return { kind, parameters: sums, labels: Uint8Array.of(0, 1) };
  }
  // knn keeps the training points.
  return { kind, parameters: data.x.slice(), labels: data.y.slice() };
}

export function predict(model: Model, x: Float64Array, row: number): number {
  if (model.kind === 'logistic' || model.kind === 'perceptron') {
    const inputs = expand(x, row);
    let score = model.parameters[5] as number;
    for (let index = 0; index < 5; index++)
      score += (model.parameters[index] as number) * (inputs[index] as number);
    return score > 0 ? 1 : 0;
  }
  const a = x[row * 2] as number;
  const b = x[row * 2 + 1] as number;
  const points = model.parameters;
  let best = Number.POSITIVE_INFINITY;
  let votes = 0;
  if (model.kind === 'nearest-centroid') {
    let label = 0;
    for (let index = 0; index < 2; index++) {
      const distance =
        (a - (points[index * 2] as number)) ** 2 + (b - (points[index * 2 + 1] as number)) ** 2;
      if (distance < best) {
        best = distance;
        label = index;
      }
    }
    return label;
  }
  // knn with k = 5: keep the 5 nearest by a small insertion list.
  const nearest: { distance: number; label: number }[] = [];
  for (let point = 0; point < model.labels.length; point++) {
    const distance = (a - (points[point * 2] as number)) ** 2 + (b - (points[point * 2 + 1] as number)) ** 2;
    if (nearest.length < 5 || distance < (nearest[nearest.length - 1] as { distance: number }).distance) {
      nearest.push({ distance, label: model.labels[point] as number });
      nearest.sort((p, q) => p.distance - q.distance);
      if (nearest.length > 5) nearest.pop();
    }
  }
  for (const neighbour of nearest) votes += neighbour.label;
  return votes >= 3 ? 1 : 0;
}

/** The share of test rows the model labels right. */
export function accuracy(model: Model, test: Dataset): number {
  let right = 0;
  for (let row = 0; row < test.y.length; row++) if (predict(model, test.x, row) === test.y[row]) right++;
  return right / test.y.length;
}
