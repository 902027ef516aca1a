/**
 * Runs an experiment: every workload case on every contender, warmed up,
 * then timed in interleaved repetitions, with every run checked.
 *
 * @module
 */
import { getBackend, ValueError } from "../mod.ts";
import { backendNames } from "./_library.ts";
import { cpuCount } from "../multiprocessing/mod.ts";
import { backendContender, describeError } from "./contenders.ts";
import { ratiosToBaseline, spread } from "./statistics.ts";
import { type CaseReport, type CellReport, type Report, REPORT_SCHEMA } from "./report.ts";
import type { Contender, Session, Workload, WorkloadCase } from "./types.ts";
import { Unavailable } from "./types.ts";

/** What {@linkcode runExperiment} reports as it goes. */
export interface ProgressEvent {
  /** Steps done so far (a warm-up or a sample of one cell). */
  readonly done: number;
  /** Steps in all. */
  readonly total: number;
  /** The case being run. */
  readonly caseId: string;
  /** The contender that just ran. */
  readonly contender: string;
  /** What it just did. */
  readonly step: "warm-up" | "sample" | "unavailable" | "failed";
}

/** What to run, and how. */
export interface ExperimentOptions {
  /** The workloads. */
  readonly workloads: readonly Workload[];
  /** Library backends to run them on (default: every registered backend). */
  readonly backends?: readonly string[];
  /** Other contenders: peers, child processes, engines. */
  readonly peers?: readonly Contender[];
  /** Thread counts for the workloads that have them (default: each workload's own). */
  readonly threads?: readonly number[];
  /** The unit of work per run, for every workload (default: each workload's own). */
  readonly iterations?: number;
  /** Timed repetitions per cell (default 5). */
  readonly repetitions?: number;
  /** What one sample aims to last, in ms (default 50); a longer run makes a sample of one run. */
  readonly sampleMs?: number;
  /** Warm-up per cell, in ms (default 100; at least one run). */
  readonly warmUpMs?: number;
  /** The contender ratios are taken to (default: the first backend, or the first contender). */
  readonly baseline?: string;
  /** Quick mode, passed on to the workloads. */
  readonly quick?: boolean;
  /** The command line, for the report. */
  readonly command?: readonly string[];
  /** Called after every step. */
  readonly onProgress?: (event: ProgressEvent) => void;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/i;
const MAX_RUNS_PER_SAMPLE = 100_000;

/** The method, in the words every report carries. */
export const METHOD_DESCRIPTION: string =
  "Each cell (a workload case on one contender) is first warmed up: it runs for the warm-up time (at least once), " +
  "which also sets how many runs make one sample (a sample lasts about the sample time, setup included). Then the cells of a case are timed in " +
  "interleaved repetitions: every repetition takes one sample of each cell, round robin, starting one cell later " +
  "each time, so that a change in the machine's load falls on all of them alike. A sample is the wall-clock time of " +
  "the timed part of its runs (after each run's setup, such as starting Workers), divided by the runs. The table " +
  "gives the median and the min-max range of the samples; a ratio is a cell's sample over the baseline's sample of " +
  "the same repetition, and the table gives the median and range of those ratios. Every run is checked (its result, " +
  "exceptions escaping threads, threads left running): a cell with a wrong run is a failure, not a speed.";

/**
 * Runs the workloads on the backends and peers, and returns the report.
 *
 * @param options What to run and how.
 * @returns Every sample and its statistics.
 * @throws {ValueError} If a workload, backend or peer name is unknown or repeated, or a count is not a positive integer.
 *
 * @example Which backend suits a small workload
 * ```ts
 * import { Lock } from "@locksmith/threading";
 * import { formatTable, runExperiment } from "@locksmith/threading/experiment";
 * import { assertEquals } from "@std/assert";
 *
 * const report = await runExperiment({
 *   workloads: [{
 *     name: "lock-loop",
 *     iterations: 100,
 *     run: async ({ backend, iterations }) => {
 *       const lock = new Lock({ backend });
 *       let n = 0;
 *       for (let i = 0; i < iterations; i++) await lock.runExclusive(() => n++);
 *       return n;
 *     },
 *     check: (n, { iterations }) => n === iterations ? undefined : `counted ${n}`,
 *   }],
 *   backends: ["async", "cooperative"],
 *   repetitions: 3,
 *   sampleMs: 2,
 *   warmUpMs: 2,
 * });
 * assertEquals(report.cases[0].cells.map((cell) => cell.status), ["measured", "measured"]);
 * console.log(formatTable(report));
 * ```
 */
export async function runExperiment(options: ExperimentOptions): Promise<Report> {
  const { workloads, peers = [], quick = false } = options;
  const repetitions = positiveInteger("repetitions", options.repetitions ?? 5);
  const sampleMs = positiveNumber("sampleMs", options.sampleMs ?? 50);
  const warmUpMs = positiveNumber("warmUpMs", options.warmUpMs ?? 100, true);
  if (options.iterations !== undefined) positiveInteger("iterations", options.iterations);
  for (const t of options.threads ?? []) positiveInteger("threads", t);
  if (!Array.isArray(workloads) || workloads.length === 0) {
    throw new ValueError(
      `Cannot run experiment as 'workloads' must be a non-empty array: received ${String(workloads)}`,
    );
  }
  const seen = new Set<string>();
  for (const w of workloads) {
    if (typeof w?.name !== "string" || !NAME.test(w.name)) {
      throw new ValueError(
        `Cannot run experiment as a workload name must be letters, digits and dashes: received ${
          JSON.stringify(w?.name)
        }`,
      );
    }
    if (seen.has(w.name)) throw new ValueError(`Cannot run experiment as workload '${w.name}' is given twice`);
    seen.add(w.name);
  }
  const backends = options.backends ?? backendNames();
  for (const name of backends) {
    try {
      getBackend(name);
    } catch {
      throw new ValueError(
        `Cannot run experiment as 'backends' names an unknown backend: received '${name}' (registered: ${
          backendNames().join(", ")
        })`,
      );
    }
  }
  const contenders: Contender[] = [...backends.map(backendContender), ...peers];
  const names = new Set<string>();
  for (const c of contenders) {
    if (names.has(c.name)) throw new ValueError(`Cannot run experiment as contender '${c.name}' is given twice`);
    names.add(c.name);
  }
  const baseline = options.baseline ?? contenders[0]?.name;
  if (baseline === undefined || !names.has(baseline)) {
    throw new ValueError(
      `Cannot run experiment as 'baseline' must be one of the contenders (${
        [...names].join(", ")
      }): received '${baseline}'`,
    );
  }

  // Start the contenders that need it; one that cannot start is unavailable everywhere.
  const startFailures = new Map<string, string>();
  for (const c of contenders) {
    try {
      await c.start?.();
    } catch (error) {
      startFailures.set(c.name, error instanceof Unavailable ? error.message : describeError(error));
    }
  }

  const cases = expandCases(workloads, options, quick);
  const plan = cases.map((workloadCase) => ({
    workloadCase,
    contenders: contenders.filter((c) => c.implements(workloadCase.workload)),
  }));
  const total = plan.reduce((sum, p) => sum + p.contenders.length * (repetitions + 1), 0);
  let done = 0;
  const progress = (caseId: string, contender: string, step: ProgressEvent["step"], steps = 1) => {
    done += steps;
    options.onProgress?.({ done, total, caseId, contender, step });
  };

  const caseReports: CaseReport[] = [];
  for (const { workloadCase, contenders: here } of plan) {
    caseReports.push(
      await runCase(workloadCase, here, { repetitions, sampleMs, warmUpMs, baseline }, startFailures, progress),
    );
  }

  const ended = new Map<string, string>();
  for (const c of contenders) {
    try {
      const note = await c.stop?.();
      if (note !== undefined) ended.set(c.name, note);
    } catch (error) {
      ended.set(c.name, describeError(error));
    }
  }

  return {
    schema: REPORT_SCHEMA,
    createdAt: new Date().toISOString(),
    command: [...(options.command ?? [])],
    machine: machine(),
    runtime: { deno: Deno.version.deno, v8: Deno.version.v8, typescript: Deno.version.typescript },
    method: { repetitions, warmUpMs, sampleMs, baseline, description: METHOD_DESCRIPTION },
    contenders: contenders.map((c) => ({
      name: c.name,
      kind: c.kind,
      ...(c.note !== undefined ? { note: c.note } : {}),
      ...(startFailures.has(c.name) ? { ended: `not available: ${startFailures.get(c.name)}` } : {}),
      ...(ended.has(c.name) ? { ended: ended.get(c.name) } : {}),
    })),
    cases: caseReports,
  };
}

function expandCases(workloads: readonly Workload[], options: ExperimentOptions, quick: boolean): WorkloadCase[] {
  const cases: WorkloadCase[] = [];
  for (const workload of workloads) {
    const iterations = options.iterations ?? workload.iterations ?? 1;
    const counts = workload.threads === undefined ? [undefined] : options.threads ?? workload.threads;
    for (const count of counts) {
      const threads = count ?? 1;
      const params = { threads, iterations, quick };
      cases.push({
        ...params,
        id: count === undefined ? workload.name : `${workload.name}/${threads}`,
        workload,
        ops: workload.ops?.(params) ?? iterations,
      });
    }
  }
  return cases;
}

interface CellState {
  readonly contender: Contender;
  session?: Session;
  status: CellReport["status"];
  reason?: string;
  runsPerSample: number;
  samples: number[];
}

async function runCase(
  workloadCase: WorkloadCase,
  contenders: readonly Contender[],
  method: { repetitions: number; sampleMs: number; warmUpMs: number; baseline: string },
  startFailures: ReadonlyMap<string, string>,
  progress: (caseId: string, contender: string, step: ProgressEvent["step"], steps?: number) => void,
): Promise<CaseReport> {
  const id = workloadCase.id;
  const cells: CellState[] = contenders.map((contender) => ({
    contender,
    status: "measured",
    runsPerSample: 0,
    samples: [],
  }));
  const giveUp = (cell: CellState, status: "failed" | "unavailable", reason: string) => {
    cell.status = status;
    cell.reason = reason;
  };
  // Open and warm up each cell.
  for (const cell of cells) {
    const failure = startFailures.get(cell.contender.name);
    if (failure !== undefined) giveUp(cell, "unavailable", failure);
    else {
      try {
        cell.session = await cell.contender.open(workloadCase);
        const problem = await warmUp(cell, method);
        if (problem !== undefined) giveUp(cell, "failed", problem);
      } catch (error) {
        giveUp(cell, error instanceof Unavailable ? "unavailable" : "failed", errorText(error));
      }
    }
    if (cell.status !== "measured") {
      progress(id, cell.contender.name, cell.status === "failed" ? "failed" : "unavailable", method.repetitions + 1);
    } else progress(id, cell.contender.name, "warm-up");
  }
  // Interleaved repetitions: round robin, starting one cell later each time.
  for (let r = 0; r < method.repetitions; r++) {
    for (let k = 0; k < cells.length; k++) {
      const cell = cells[(r + k) % cells.length];
      if (cell.status !== "measured") continue;
      try {
        const { ms, problem } = await cell.session!.sample(cell.runsPerSample);
        if (problem !== undefined) {
          giveUp(cell, "failed", problem);
          progress(id, cell.contender.name, "failed", method.repetitions - r);
          continue;
        }
        cell.samples.push(ms / cell.runsPerSample);
        progress(id, cell.contender.name, "sample");
      } catch (error) {
        giveUp(cell, error instanceof Unavailable ? "unavailable" : "failed", errorText(error));
        progress(id, cell.contender.name, "failed", method.repetitions - r);
      }
    }
  }
  for (const cell of cells) await cell.session?.close().catch(() => {});

  const base = cells.find((c) => c.contender.name === method.baseline && c.status === "measured");
  return {
    id,
    workload: workloadCase.workload.name,
    title: workloadCase.workload.title ?? workloadCase.workload.name,
    threads: workloadCase.threads,
    iterations: workloadCase.iterations,
    ops: workloadCase.ops,
    baseline: base ? method.baseline : null,
    cells: cells.map((cell) => cellReport(cell, workloadCase.ops, base)),
  };
}

/**
 * Warms a cell up and sets its runs per sample from the wall-clock time of
 * a run, setup included (so that a sample lasts about the sample time even
 * when a run's setup, such as starting Workers, is not timed); returns what
 * went wrong, if a run was wrong.
 */
async function warmUp(cell: CellState, method: { sampleMs: number; warmUpMs: number }): Promise<string | undefined> {
  const started = performance.now();
  let runs = 0;
  // At least one run; then more until the warm-up time is spent.
  do {
    const sample = await cell.session!.sample(1);
    if (sample.problem !== undefined) return sample.problem;
    runs++;
  } while (performance.now() - started < method.warmUpMs);
  const perRun = Math.max((performance.now() - started) / runs, 1e-4);
  cell.runsPerSample = Math.min(MAX_RUNS_PER_SAMPLE, Math.max(1, Math.round(method.sampleMs / perRun)));
  return undefined;
}

function cellReport(cell: CellState, ops: number, base: CellState | undefined): CellReport {
  const measured = cell.status === "measured" && cell.samples.length > 0;
  const ratios = measured && base ? ratiosToBaseline(cell.samples, base.samples) : [];
  return {
    contender: cell.contender.name,
    kind: cell.contender.kind,
    status: cell.status,
    ...(cell.reason !== undefined ? { reason: cell.reason } : {}),
    runsPerSample: cell.runsPerSample,
    samples: cell.samples,
    ...(measured ? { msPerRun: spread(cell.samples) } : {}),
    ...(measured ? { nsPerOp: spread(cell.samples.map((ms) => (ms * 1e6) / ops)) } : {}),
    ratios,
    ...(ratios.length > 0 ? { ratio: spread(ratios) } : {}),
  };
}

function errorText(error: unknown): string {
  return error instanceof Unavailable ? error.message : describeError(error);
}

function positiveInteger(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ValueError(`Cannot run experiment as '${name}' must be an integer >= 1: received ${String(value)}`);
  }
  return value;
}

function positiveNumber(name: string, value: number, zeroOk = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (!zeroOk && value === 0)) {
    throw new ValueError(`Cannot run experiment as '${name}' must be a number > 0: received ${String(value)}`);
  }
  return value;
}

function machine(): Report["machine"] {
  let cpuModel: string | undefined;
  try {
    cpuModel = Deno.readTextFileSync("/proc/cpuinfo").match(/model name\s*:\s*(.+)/)?.[1]?.trim();
  } catch {
    // Not Linux, or not readable: the model is left out.
  }
  let memoryGiB: number | undefined;
  try {
    memoryGiB = Math.round(Deno.systemMemoryInfo().total / 2 ** 30);
  } catch {
    // Not permitted: left out.
  }
  return {
    os: Deno.build.os,
    arch: Deno.build.arch,
    cpus: cpuCount(),
    ...(cpuModel !== undefined ? { cpuModel } : {}),
    ...(memoryGiB !== undefined ? { memoryGiB } : {}),
  };
}
