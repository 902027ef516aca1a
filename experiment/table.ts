/**
 * The report as a table: plain text for a terminal, or Markdown.
 *
 * @module
 */
import type { BaselineVerdict } from "./baseline.ts";
import type { CellReport, Report } from "./report.ts";

/** How {@linkcode formatTable} writes the table. */
export interface FormatOptions {
  /** `"text"` (aligned columns, the default) or `"markdown"`. */
  readonly format?: "text" | "markdown";
  /** Verdicts against an older report, shown in a last column. */
  readonly verdicts?: ReadonlyMap<string, BaselineVerdict>;
}

/**
 * Formats a duration in milliseconds with a unit that suits it.
 *
 * @param ms Milliseconds.
 * @returns Such as `"812 ns"`, `"3.40 µs"`, `"12.1 ms"` or `"1.25 s"`.
 *
 * @example Units
 * ```ts
 * import { formatDuration } from "@locksmith/threading/experiment";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(formatDuration(0.0034), "3.40 µs");
 * assertEquals(formatDuration(1250), "1.25 s");
 * ```
 */
export function formatDuration(ms: number): string {
  const [value, unit] = ms >= 1000 ? [ms / 1000, "s"] : ms >= 1 ? [ms, "ms"] : ms >= 1e-3 ? [ms * 1e3, "µs"] : [
    ms * 1e6,
    "ns",
  ];
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${unit}`;
}

/**
 * Formats a ratio: `"1.00x"`, `"14x"`.
 *
 * @param ratio The ratio.
 * @returns It, with two decimals below 10.
 */
export function formatRatio(ratio: number): string {
  return ratio >= 10 ? `${ratio.toFixed(0)}x` : `${ratio.toFixed(2)}x`;
}

/** The cells of one row of the table; a reason goes to the notes. */
function row(
  caseId: string,
  cell: CellReport,
  baseline: string | null,
  notes: string[],
  verdict?: BaselineVerdict,
): string[] {
  const base = [caseId, cell.contender];
  if (cell.status !== "measured" || cell.msPerRun === undefined) {
    const what = cell.status === "failed" ? "FAILED" : "n/a";
    const reason = cell.reason ?? (cell.status === "measured" ? "no sample" : "no reason given");
    let k = notes.indexOf(reason);
    if (k === -1) k = notes.push(reason) - 1;
    return [...base, `${what} [${k + 1}]`, "", "", "", "", verdict ? describeVerdict(verdict) : ""];
  }
  const perOp = cell.nsPerOp!;
  const ratio = cell.ratio;
  return [
    ...base,
    formatDuration(cell.msPerRun.median),
    `${formatDuration(cell.msPerRun.min)} - ${formatDuration(cell.msPerRun.max)}`,
    formatDuration(perOp.median / 1e6),
    ratio ? (cell.contender === baseline ? "1.00x (baseline)" : formatRatio(ratio.median)) : "",
    ratio && cell.contender !== baseline ? `${formatRatio(ratio.min)} - ${formatRatio(ratio.max)}` : "",
    verdict ? describeVerdict(verdict) : "",
  ];
}

function describeVerdict(verdict: BaselineVerdict): string {
  return verdict.change === undefined ? verdict.verdict : `${verdict.verdict} (${formatRatio(verdict.change)})`;
}

/**
 * Formats a report as a table: one row per case and contender, with the
 * median time per run, its min-max range, the median time per operation,
 * and the median and range of the per-repetition ratios to the baseline.
 *
 * @param report The report.
 * @param options Text or Markdown; verdicts against an older report.
 * @returns The table.
 *
 * @example A table of a report
 * ```ts
 * import { formatTable, runExperiment } from "@locksmith/threading/experiment";
 * import { assertStringIncludes } from "@std/assert";
 *
 * const report = await runExperiment({
 *   workloads: [{ name: "noop", run: () => 1 }],
 *   backends: ["async"],
 *   repetitions: 2,
 *   sampleMs: 1,
 *   warmUpMs: 1,
 * });
 * assertStringIncludes(formatTable(report, { format: "markdown" }), "| noop | async |");
 * ```
 */
export function formatTable(report: Report, options: FormatOptions = {}): string {
  const header = [
    "case",
    "contender",
    "time/run (median)",
    "min - max",
    "time/op",
    `ratio to ${report.method.baseline}`,
    "ratio min - max",
    options.verdicts ? "vs baseline file" : "",
  ];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const c of report.cases) {
    for (const cell of c.cells) {
      rows.push(row(c.id, cell, c.baseline, notes, options.verdicts?.get(`${c.id}|${cell.contender}`)));
    }
  }
  const footer = notes.map((note, k) => `[${k + 1}] ${note}`);
  const keep = header.map((_, i) => header[i] !== "" || rows.some((r) => r[i] !== ""));
  const columns = (cells: string[]) => cells.filter((_, i) => keep[i]);
  if (options.format === "markdown") {
    const escape = (text: string) => text.replaceAll("|", "\\|");
    const lines = [
      `| ${columns(header).join(" | ")} |`,
      `| ${columns(header).map((_, i) => i < 2 ? "---" : "---:").join(" | ")} |`,
    ];
    for (const r of rows) lines.push(`| ${columns(r).map(escape).join(" | ")} |`);
    if (footer.length > 0) lines.push("", ...footer.map((note) => `${note}  `));
    return lines.join("\n");
  }
  const all = [columns(header), ...rows.map(columns)];
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const lines = all.map((r) =>
    r.map((text, i) => i < 2 ? text.padEnd(widths[i]) : text.padStart(widths[i])).join("  ").trimEnd()
  );
  if (footer.length > 0) lines.push("", ...footer);
  return lines.join("\n");
}
