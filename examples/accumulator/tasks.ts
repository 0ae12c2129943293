/**
 * Tasks and an actor for the accumulator example: parallel branches each build a histogram of
 * simulated measurements; one stateful accumulator merges them as they arrive, in call order.
 */
import { actor, task } from 'functionfuse';

export const binCount = 20;

/** Simulates `count` noisy measurements around `centre` and bins them into [0, 1). */
export const measure = task(function measure(count: number, centre: number) {
  const histogram = new Float64Array(binCount);
  for (let sample = 0; sample < count; sample++) {
    // The sum of four uniforms: a cheap bell curve.
    const value = centre + (Math.random() + Math.random() + Math.random() + Math.random() - 2) / 8;
    const bin = Math.min(binCount - 1, Math.max(0, Math.floor(value * binCount)));
    histogram[bin] = (histogram[bin] as number) + 1;
  }
  return histogram;
});

/** Merges histograms one at a time and keeps the running total and the number merged. */
export const HistogramAccumulator = actor(
  class HistogramAccumulator {
    readonly total = new Float64Array(binCount);
    merged = 0;

    add(histogram: Float64Array) {
      for (let bin = 0; bin < binCount; bin++)
        this.total[bin] = (this.total[bin] as number) + (histogram[bin] as number);
      this.merged++;
      return this.merged;
    }

    summary() {
      const count = this.total.reduce((acc, value) => acc + value, 0);
      const mean = this.total.reduce((acc, value, bin) => acc + value * ((bin + 0.5) / binCount), 0) / count;
      return { histograms: this.merged, samples: count, mean, total: this.total };
    }
  },
);
