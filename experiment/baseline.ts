/**
 * Comparing a report with an older one (`--baseline OLD.json`): what got
 * slower or faster beyond the noise.
 *
 * @module
 */
import type { Report } from "./report.ts";

/** The rule, in the words the report carries. */
export const NOISE_RULE: string =
  "A cell is slower (or faster) than in the baseline file only when the ranges of the time per operation do not " +
  "overlap: its fastest sample is slower than the baseline's slowest (or its slowest is faster than the baseline's " +
  "fastest). Anything else is within the noise of the two runs.";

/** What changed for one cell. */
export interface BaselineVerdict {
  /** `slower`, `faster`, `same` (within the noise), `new` (not in the baseline) or `not measured`. */
  readonly verdict: "slower" | "faster" | "same" | "new" | "not measured";
  /** The median time per operation now over the baseline's, when both were measured. */
  readonly change?: number;
}

/**
 * Compares every measured cell of `current` with the same case and
 * contender in `old`, by the rule in {@linkcode NOISE_RULE}.
 *
 * @param current The new report.
 * @param old The baseline report.
 * @returns Verdicts by `caseId|contender`.
 *
 * @example Ranges that do not overlap
 * ```ts
 * import { compareWithBaseline, type Report } from "@locksmith/threading/experiment";
 * import { assertEquals } from "@std/assert";
 *
 * const report = (min: number, max: number) =>
 *   ({
 *     cases: [{ id: "w", cells: [{ contender: "async", status: "measured", nsPerOp: { median: (min + max) / 2, min, max } }] }],
 *   }) as unknown as Report;
 * assertEquals(compareWithBaseline(report(30, 40), report(10, 20)).get("w|async")?.verdict, "slower");
 * assertEquals(compareWithBaseline(report(15, 25), report(10, 20)).get("w|async")?.verdict, "same");
 * ```
 */
export function compareWithBaseline(current: Report, old: Report): Map<string, BaselineVerdict> {
  const before = new Map<string, { min: number; max: number; median: number }>();
  for (const c of old.cases) {
    for (const cell of c.cells ?? []) {
      if (cell.status === "measured" && cell.nsPerOp !== undefined) {
        before.set(`${c.id}|${cell.contender}`, cell.nsPerOp);
      }
    }
  }
  const verdicts = new Map<string, BaselineVerdict>();
  for (const c of current.cases) {
    for (const cell of c.cells) {
      const key = `${c.id}|${cell.contender}`;
      const now = cell.nsPerOp;
      const then = before.get(key);
      if (cell.status !== "measured" || now === undefined) verdicts.set(key, { verdict: "not measured" });
      else if (then === undefined) verdicts.set(key, { verdict: "new" });
      else {
        const change = now.median / then.median;
        const verdict = now.min > then.max ? "slower" : now.max < then.min ? "faster" : "same";
        verdicts.set(key, { verdict, change });
      }
    }
  }
  return verdicts;
}
