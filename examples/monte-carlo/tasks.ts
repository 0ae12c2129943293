/**
 * Tasks of the Monte Carlo example: pricing a European call option by simulating geometric
 * Brownian motion paths in batches, over typed arrays. A module of its own: worker threads
 * import it to find the tasks, so it must not start a workflow.
 */
import { task } from 'functionfuse';

/** The market and the option: spot price, strike, risk-free rate, volatility, years. */
export interface OptionSpec {
  readonly spot: number;
  readonly strike: number;
  readonly rate: number;
  readonly volatility: number;
  readonly maturity: number;
}

/** One batch's estimate: the sum and the sum of squares of discounted payoffs. */
export interface PayoffMoments {
  readonly paths: number;
  readonly sum: number;
  readonly sumOfSquares: number;
}

/** A standard normal draw from Math.random (seeded per node by RandomStatePlugin). */
function normal(): number {
  const u = 1 - Math.random();
  const v = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Simulates `paths` price paths of `steps` steps each; returns the prices at maturity. */
export const simulatePaths = task(function simulatePaths(spec: OptionSpec, paths: number, steps: number) {
  const dt = spec.maturity / steps;
  const drift = (spec.rate - 0.5 * spec.volatility ** 2) * dt;
  const diffusion = spec.volatility * Math.sqrt(dt);
  const terminal = new Float64Array(paths);
  for (let path = 0; path < paths; path++) {
    let logPrice = Math.log(spec.spot);
    for (let step = 0; step < steps; step++) logPrice += drift + diffusion * normal();
    terminal[path] = Math.exp(logPrice);
  }
  return terminal;
});

/** Discounted call payoffs of one batch of terminal prices, as moments to combine later. */
export const callPayoffs = task(function callPayoffs(
  spec: OptionSpec,
  terminal: Float64Array,
): PayoffMoments {
  const discount = Math.exp(-spec.rate * spec.maturity);
  let sum = 0;
  let sumOfSquares = 0;
  for (const price of terminal) {
    const payoff = discount * Math.max(price - spec.strike, 0);
    sum += payoff;
    sumOfSquares += payoff * payoff;
  }
  return { paths: terminal.length, sum, sumOfSquares };
});

/** The price estimate and its standard error from every batch. */
export const combine = task(function combine(batches: PayoffMoments[]) {
  const paths = batches.reduce((acc, batch) => acc + batch.paths, 0);
  const mean = batches.reduce((acc, batch) => acc + batch.sum, 0) / paths;
  const meanOfSquares = batches.reduce((acc, batch) => acc + batch.sumOfSquares, 0) / paths;
  return { price: mean, standardError: Math.sqrt((meanOfSquares - mean * mean) / paths), paths };
});

/** The exact Black-Scholes price, to check the estimate against. */
export const blackScholes = task(function blackScholes(spec: OptionSpec) {
  const { spot, strike, rate, volatility, maturity } = spec;
  const d1 =
    (Math.log(spot / strike) + (rate + volatility ** 2 / 2) * maturity) / (volatility * Math.sqrt(maturity));
  const d2 = d1 - volatility * Math.sqrt(maturity);
  return spot * normalCdf(d1) - strike * Math.exp(-rate * maturity) * normalCdf(d2);
});

/** The standard normal distribution function (Abramowitz and Stegun 7.1.26, error < 1.5e-7). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2));
  const polynomial =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - polynomial * Math.exp(-((x / Math.SQRT2) ** 2));
  return 0.5 * (1 + Math.sign(x) * erf);
}
