/**
 * Backend comparison experiments: which backend (or which other library)
 * suits a workload? Give {@linkcode runExperiment} workloads (functions
 * that use the library's primitives on the backend they are given, or
 * module references that Workers can import) and the backends and peers to
 * compare, and get back every sample with medians, min-max ranges and
 * per-repetition ratios to a baseline; {@linkcode formatTable} prints them,
 * {@linkcode writeReport} writes `report.json`, `report.md` and one SVG
 * chart per case. `deno task compare` is this API run on the project's own
 * workloads and peers.
 *
 * The method, written into every report ({@linkcode METHOD_DESCRIPTION}):
 * each cell is warmed up, then the cells of a case are timed in interleaved
 * repetitions; ratios are taken per repetition against the baseline of the
 * same repetition; every run is checked, and a wrong run makes the cell a
 * failure, not a speed.
 *
 * Contenders other than backends: {@linkcode functionPeer} (another
 * library's version of a workload, in this process; with `kind: "engine"`,
 * the workload run somewhere other than a backend of this process, such as
 * the distributed primitives' `memory://` and Redis engines),
 * {@linkcode childProcessPeer} (a child process speaking a line protocol:
 * CPython, or Deno with other V8 flags), or any object implementing
 * {@linkcode Contender}.
 *
 * For a thread body that must run in Workers (the `atomics` backend),
 * export it and pass `{ module: import.meta.url, export: "name" }` as the
 * thread's target: every backend accepts that form; keep shared state in a
 * `SharedArrayBuffer` or in the library's primitives, passed as arguments.
 *
 * @example Your workload on every backend
 * ```ts
 * import { Lock, Thread } from "@locksmith/threading";
 * import { formatTable, runExperiment } from "@locksmith/threading/experiment";
 * import { assertEquals } from "@std/assert";
 *
 * const report = await runExperiment({
 *   workloads: [{
 *     name: "two-threads",
 *     title: "2 threads x 50 increments under a Lock",
 *     iterations: 50,
 *     run: async ({ backend, iterations }) => {
 *       const lock = new Lock({ backend });
 *       let n = 0;
 *       const body = async () => {
 *         for (let i = 0; i < iterations; i++) await lock.runExclusive(() => n++);
 *       };
 *       const threads = [1, 2].map(() => new Thread({ target: body, backend }));
 *       threads.forEach((t) => t.start());
 *       for (const t of threads) await t.join();
 *       return n;
 *     },
 *     check: (n, { iterations }) => n === 2 * iterations ? undefined : `counted ${n}`,
 *   }],
 *   backends: ["async", "cooperative"],
 *   repetitions: 3,
 *   sampleMs: 2,
 *   warmUpMs: 2,
 * });
 * assertEquals(report.cases[0].cells.length, 2);
 * console.log(formatTable(report));
 * ```
 *
 * @module
 */
export type {
  CaseParams,
  Contender,
  ContenderKind,
  RunContext,
  RunTarget,
  SampleResult,
  Session,
  Workload,
  WorkloadCase,
} from "./types.ts";
export { Unavailable } from "./types.ts";
export type { ModuleTarget } from "../mod.ts";
export { type ExperimentOptions, METHOD_DESCRIPTION, type ProgressEvent, runExperiment } from "./run.ts";
export { backendContender, describeError, functionPeer, type FunctionPeerOptions } from "./contenders.ts";
export { childProcessPeer, type ChildProcessPeerOptions } from "./child_peer.ts";
export { ratiosToBaseline, type Spread, spread } from "./statistics.ts";
export {
  type CaseReport,
  type CellReport,
  type CellStatus,
  type MethodReport,
  parseReport,
  type Report,
  REPORT_SCHEMA,
} from "./report.ts";
export { formatDuration, type FormatOptions, formatRatio, formatTable } from "./table.ts";
export { contenderColour, escapeXml, renderChart } from "./chart.ts";
export { type BaselineVerdict, compareWithBaseline, NOISE_RULE } from "./baseline.ts";
export {
  assertWritable,
  chartFileName,
  renderMarkdownReport,
  writeReport,
  type WriteReportOptions,
  type WrittenReport,
} from "./write_report.ts";
export { type Progress, progressDisplay, type ProgressOutput } from "./progress.ts";
