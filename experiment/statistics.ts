/**
 * The statistics of a report: medians, ranges, and ratios taken per
 * repetition against a baseline measured in the same repetition.
 *
 * @module
 */

/** The median, minimum and maximum of some numbers. */
export interface Spread {
  /** The median (the mean of the two middle values for an even count). */
  readonly median: number;
  /** The smallest value. */
  readonly min: number;
  /** The largest value. */
  readonly max: number;
}

/**
 * Summarizes numbers as their median and range.
 *
 * @param values At least one number.
 * @returns Their median, minimum and maximum.
 * @throws {RangeError} If `values` is empty.
 *
 * @example The median of an even count is the mean of the middle two
 * ```ts
 * import { spread } from "@locksmith/threading/experiment";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(spread([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4 });
 * ```
 */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError("Cannot summarize as 'values' must not be empty: received []");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/**
 * Ratios of samples to the baseline's sample of the same repetition
 * (`samples[i] / baseline[i]`), skipping repetitions where either is
 * missing. Taking the ratio within a repetition cancels what the machine's
 * load did to both.
 *
 * @param samples A contender's milliseconds per run, one per repetition.
 * @param baseline The baseline's, one per repetition.
 * @returns One ratio per repetition both have.
 *
 * @example Per-repetition ratios
 * ```ts
 * import { ratiosToBaseline } from "@locksmith/threading/experiment";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(ratiosToBaseline([2, 6, 3], [1, 3, 2]), [2, 2, 1.5]);
 * ```
 */
export function ratiosToBaseline(samples: readonly number[], baseline: readonly number[]): number[] {
  const ratios: number[] = [];
  const n = Math.min(samples.length, baseline.length);
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(samples[i]) && Number.isFinite(baseline[i]) && baseline[i] > 0) {
      ratios.push(samples[i] / baseline[i]);
    }
  }
  return ratios;
}
