/**
 * The report of an experiment: every sample, the statistics, the machine,
 * the runtime and the command line; and reading one back from JSON.
 *
 * @module
 */
import type { ContenderKind } from "./types.ts";
import type { Spread } from "./statistics.ts";

/** The schema every report names; a baseline of another schema is refused. */
export const REPORT_SCHEMA = "locksmith-threading/compare-report@1";

/** How a cell ended. */
export type CellStatus = "measured" | "failed" | "unavailable";

/** One contender on one case. */
export interface CellReport {
  /** The contender's name. */
  readonly contender: string;
  /** Its kind. */
  readonly kind: ContenderKind;
  /** Measured; failed (a run was wrong: never a speed); or unavailable (with the reason). */
  readonly status: CellStatus;
  /** Why it failed or is unavailable. */
  readonly reason?: string;
  /** Runs per sample, chosen during warm-up. */
  readonly runsPerSample: number;
  /** Milliseconds per run (the timed part), one sample per repetition, in order. */
  readonly samples: readonly number[];
  /** Median and range of `samples`. */
  readonly msPerRun?: Spread;
  /** Median and range of the time per operation, in nanoseconds. */
  readonly nsPerOp?: Spread;
  /** This cell's sample over the baseline's, per repetition (same repetition, same load). */
  readonly ratios: readonly number[];
  /** Median and range of `ratios`. */
  readonly ratio?: Spread;
}

/** One case: a workload at one thread count. */
export interface CaseReport {
  /** `workload` or `workload/threads`. */
  readonly id: string;
  /** The workload's name. */
  readonly workload: string;
  /** What one run does. */
  readonly title: string;
  /** Threads of the case. */
  readonly threads: number;
  /** The unit of work per run. */
  readonly iterations: number;
  /** Operations per run. */
  readonly ops: number;
  /** The contender the ratios are to, or `null` if it has no measurement. */
  readonly baseline: string | null;
  /** One cell per contender that implements the workload. */
  readonly cells: readonly CellReport[];
}

/** How the experiment measured: written into every report. */
export interface MethodReport {
  /** Timed repetitions per cell. */
  readonly repetitions: number;
  /** Warm-up per cell before the first repetition (at least one run). */
  readonly warmUpMs: number;
  /** What one sample aims to last. */
  readonly sampleMs: number;
  /** The contender ratios are taken to. */
  readonly baseline: string;
  /** The method in words. */
  readonly description: string;
}

/** The whole report. */
export interface Report {
  /** Always {@linkcode REPORT_SCHEMA}. */
  readonly schema: typeof REPORT_SCHEMA;
  /** When the experiment ended (ISO 8601). */
  readonly createdAt: string;
  /** The command line that made it. */
  readonly command: readonly string[];
  /** Where it ran. */
  readonly machine: {
    readonly os: string;
    readonly arch: string;
    readonly cpus: number;
    readonly cpuModel?: string;
    readonly memoryGiB?: number;
  };
  /** The runtime's versions. */
  readonly runtime: { readonly deno: string; readonly v8: string; readonly typescript: string };
  /** How it measured. */
  readonly method: MethodReport;
  /** Every contender, with its note and how it ended. */
  readonly contenders: readonly { name: string; kind: ContenderKind; note?: string; ended?: string }[];
  /** Every case, in the order run. */
  readonly cases: readonly CaseReport[];
}

/**
 * Reads a report back from its JSON text (a baseline, say), checking its
 * schema.
 *
 * @param text The JSON text of a report.
 * @param source Where the text came from, for error messages.
 * @returns The report.
 * @throws {TypeError} If the text is not JSON, or not a report of this schema.
 *
 * @example A file of another schema is refused
 * ```ts
 * import { parseReport } from "@locksmith/threading/experiment";
 * import { assertThrows } from "@std/assert";
 *
 * assertThrows(() => parseReport('{"schema":"other@1"}', "old.json"), TypeError, "schema");
 * ```
 */
export function parseReport(text: string, source: string): Report {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`Cannot read report '${source}' as it is not JSON: ${(error as Error).message}`);
  }
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (schema !== REPORT_SCHEMA) {
    throw new TypeError(
      `Cannot read report '${source}' as its schema must be '${REPORT_SCHEMA}': received ${JSON.stringify(schema)}`,
    );
  }
  if (!Array.isArray((value as Report).cases)) {
    throw new TypeError(
      `Cannot read report '${source}' as it has no 'cases' array: received ${typeof (value as Report).cases}`,
    );
  }
  return value as Report;
}
