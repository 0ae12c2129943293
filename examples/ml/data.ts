/**
 * Synthetic classification data sets over typed arrays: rows of `features` numbers in one
 * Float64Array, labels 0 or 1 in a Uint8Array. Draws from Math.random, which RandomStatePlugin
 * seeds per node, so every run (on any backend) makes the same data.
 */
export interface Dataset {
  readonly features: number;
  readonly x: Float64Array;
  readonly y: Uint8Array;
}

export type DatasetKind = 'blobs' | 'moons' | 'circles';

function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

/** `rows` points of one of three shapes, with noise. */
export function makeDataset(kind: DatasetKind, rows: number, noise: number): Dataset {
  const x = new Float64Array(rows * 2);
  const y = new Uint8Array(rows);
  for (let row = 0; row < rows; row++) {
    const label = row % 2;
    let a: number;
    let b: number;
    if (kind === 'blobs') {
      a = (label === 0 ? -1 : 1) + noise * normal();
      b = (label === 0 ? -1 : 1) + noise * normal();
    } else if (kind === 'moons') {
      const angle = Math.PI * Math.random();
      a = label === 0 ? Math.cos(angle) : 1 - Math.cos(angle);
      b = label === 0 ? Math.sin(angle) : 0.5 - Math.sin(angle);
      a += noise * normal();
      b += noise * normal();
    } else {
      const angle = 2 * Math.PI * Math.random();
      const radius = label === 0 ? 0.5 : 1;
      a = radius * Math.cos(angle) + noise * normal();
      b = radius * Math.sin(angle) + noise * normal();
    }
    x[row * 2] = a;
    x[row * 2 + 1] = b;
    y[row] = label;
  }
  return { features: 2, x, y };
}

/** Splits rows into a training set and a test set (every `1 / testShare`-th row is a test row). */
export function split(data: Dataset, testShare: number): { train: Dataset; test: Dataset } {
  const rows = data.y.length;
  const every = Math.max(2, Math.round(1 / testShare));
  const testRows = Math.floor(rows / every);
  const train = {
    features: data.features,
    x: new Float64Array((rows - testRows) * data.features),
    y: new Uint8Array(rows - testRows),
  };
  const test = {
    features: data.features,
    x: new Float64Array(testRows * data.features),
    y: new Uint8Array(testRows),
  };
  let trainRow = 0;
  let testRow = 0;
  for (let row = 0; row < rows; row++) {
    const isTest = row % every === every - 1 && testRow < testRows;
    const target = isTest ? test : train;
    const at = isTest ? testRow++ : trainRow++;
    target.y[at] = data.y[row] as number;
    for (let feature = 0; feature < data.features; feature++) {
      target.x[at * data.features + feature] = data.x[row * data.features + feature] as number;
    }
  }
  return { train, test };
}
