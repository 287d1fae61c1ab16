// Owns the confidence intervals: a percentile bootstrap that resamples whole series with replacement, since
// findings of one scan are not independent (one noisy scan brings several false positives). Every statistic
// of a group is computed on the same resamples, so the intervals are consistent with one another.
import { seededRandom } from './seeded-random.ts';

export interface BootstrapOptions {
  /** Resamples (default 1000). */
  resamples?: number;
  /** Seed of the resampling (default 20240607): the same data give the same interval every time. */
  seed?: number;
}

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_SEED = 20240607;

export type Statistics<T> = (sample: readonly T[]) => (number | null)[];

/**
 * 95 % percentile intervals for each statistic. A statistic undefined in a resample (no lesions drawn, say) is
 * left out of that resample; when it is undefined in more than half of them the interval is null.
 */
export function bootstrapIntervals<T>(
  items: readonly T[],
  statistics: Statistics<T>,
  count: number,
  options: BootstrapOptions = {},
): ({ low: number; high: number } | null)[] {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const random = seededRandom(options.seed ?? DEFAULT_SEED);
  const draws: number[][] = Array.from({ length: count }, () => []);
  if (items.length === 0 || resamples <= 0) return draws.map(() => null);
  const sample: T[] = new Array(items.length);
  for (let b = 0; b < resamples; b++) {
    for (let n = 0; n < items.length; n++) sample[n] = items[Math.floor(random() * items.length)];
    const values = statistics(sample);
    for (let s = 0; s < count; s++) {
      const value = values[s];
      if (value !== null && Number.isFinite(value)) draws[s].push(value);
    }
  }
  return percentileIntervals(draws, resamples);
}

/** Linear interpolation between order statistics (type 7, numpy's default) of ascending values. */
export function quantile(sorted: readonly number[], p: number): number {
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * The same intervals from resample weights: `statistics(weights)` sees how many times each of `size` items was
 * drawn. The draws are those bootstrapIntervals makes, so both give the same interval for the same seed.
 */
export function bootstrapWeightedIntervals(
  size: number,
  statistics: (weights: Float64Array) => (number | null)[],
  count: number,
  options: BootstrapOptions = {},
): ({ low: number; high: number } | null)[] {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const random = seededRandom(options.seed ?? DEFAULT_SEED);
  const draws: number[][] = Array.from({ length: count }, () => []);
  if (size === 0 || resamples <= 0) return draws.map(() => null);
  const weights = new Float64Array(size);
  for (let b = 0; b < resamples; b++) {
    weights.fill(0);
    for (let n = 0; n < size; n++) weights[Math.floor(random() * size)]++;
    const values = statistics(weights);
    for (let s = 0; s < count; s++) {
      const value = values[s];
      if (value !== null && Number.isFinite(value)) draws[s].push(value);
    }
  }
  return percentileIntervals(draws, resamples);
}

function percentileIntervals(draws: number[][], resamples: number): ({ low: number; high: number } | null)[] {
  return draws.map((values) => {
    if (values.length * 2 < resamples) return null;
    values.sort((a, b) => a - b);
    return { low: quantile(values, 0.025), high: quantile(values, 0.975) };
  });
}
