/**
 * Writing a report to a folder: `report.json` (every sample), `report.md`
 * (the method and the table) and one SVG chart per case.
 *
 * @module
 */
import { type BaselineVerdict, NOISE_RULE } from "./baseline.ts";
import { renderChart } from "./chart.ts";
import type { Report } from "./report.ts";
import { formatDuration, formatTable } from "./table.ts";

/** What {@linkcode writeReport} adds to the report. */
export interface WriteReportOptions {
  /** Verdicts against an older report, and the file it came from. */
  readonly baseline?: { readonly source: string; readonly verdicts: ReadonlyMap<string, BaselineVerdict> };
}

/** The files {@linkcode writeReport} wrote, by kind. */
export interface WrittenReport {
  /** The JSON report. */
  readonly json: string;
  /** The Markdown report. */
  readonly markdown: string;
  /** One SVG per case, by case id. */
  readonly charts: ReadonlyMap<string, string>;
}

/**
 * The file name of a case's chart: its id with anything but letters,
 * digits, dots and dashes made a dash, then `.svg`.
 *
 * @param caseId A case id such as `lock-contended/8`.
 * @returns Such as `lock-contended-8.svg`.
 */
export function chartFileName(caseId: string): string {
  return `${caseId.replace(/[^a-z0-9.-]+/gi, "-")}.svg`;
}

/**
 * Checks that a folder can take the report, creating it if needed, before
 * an experiment spends its time.
 *
 * @param dir The folder.
 * @throws {Error} If it cannot be created or written to, saying why.
 *
 * @example A folder under a file cannot be made
 * ```ts
 * import { assertWritable } from "@locksmith/threading/experiment";
 * import { assertRejects } from "@std/assert";
 *
 * const file = await Deno.makeTempFile();
 * await assertRejects(() => assertWritable(`${file}/out`), Error, "Cannot write the report");
 * await Deno.remove(file);
 * ```
 */
export async function assertWritable(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const probe = `${dir}/.write-test-${crypto.randomUUID()}`;
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (error) {
    throw new Error(`Cannot write the report to '${dir}': ${error instanceof Error ? error.message : error}`);
  }
}

/**
 * Writes `report.json`, `report.md` and one SVG chart per case into `dir`
 * (created if needed).
 *
 * @param report The report.
 * @param dir The folder.
 * @param options Verdicts against an older report.
 * @returns The paths written.
 * @throws {Error} If the folder cannot be written to.
 *
 * @example Writing a report
 * ```ts
 * import { runExperiment, writeReport } from "@locksmith/threading/experiment";
 * import { assertEquals } from "@std/assert";
 *
 * const report = await runExperiment({
 *   workloads: [{ name: "noop", run: () => 1 }],
 *   backends: ["async"],
 *   repetitions: 2,
 *   sampleMs: 1,
 *   warmUpMs: 1,
 * });
 * const dir = await Deno.makeTempDir();
 * const written = await writeReport(report, dir);
 * assertEquals(JSON.parse(await Deno.readTextFile(written.json)).schema, report.schema);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeReport(
  report: Report,
  dir: string,
  options: WriteReportOptions = {},
): Promise<WrittenReport> {
  await assertWritable(dir);
  const json = `${dir}/report.json`;
  await Deno.writeTextFile(json, JSON.stringify(report, null, 2) + "\n");
  const charts = new Map<string, string>();
  for (const c of report.cases) {
    const path = `${dir}/${chartFileName(c.id)}`;
    await Deno.writeTextFile(path, renderChart(report, c));
    charts.set(c.id, path);
  }
  const markdown = `${dir}/report.md`;
  await Deno.writeTextFile(markdown, renderMarkdownReport(report, options));
  return { json, markdown, charts };
}

/**
 * The Markdown report: the command, the machine, the method, the table,
 * the charts, and the verdicts against an older report if given.
 *
 * @param report The report.
 * @param options Verdicts against an older report.
 * @returns The Markdown text.
 */
export function renderMarkdownReport(report: Report, options: WriteReportOptions = {}): string {
  const m = report.machine;
  const method = report.method;
  const [warmUp, sample] = [formatDuration(method.warmUpMs), formatDuration(method.sampleMs)];
  const lines = [
    "# Backend comparison",
    "",
    `Command: \`${report.command.join(" ")}\``,
    "",
    `Machine: ${m.os}/${m.arch}, ${m.cpus} CPUs${m.cpuModel ? ` (${m.cpuModel})` : ""}${
      m.memoryGiB ? `, ${m.memoryGiB} GiB` : ""
    }; Deno ${report.runtime.deno}, V8 ${report.runtime.v8}, TypeScript ${report.runtime.typescript}; ${report.createdAt}.`,
    "",
    "## Method",
    "",
    `${method.description} Here: ${method.repetitions} repetitions, warm-up ${warmUp}, samples of about ${sample}, ratios to \`${method.baseline}\`.`,
    "",
  ];
  if (options.baseline) {
    lines.push(`Compared with \`${options.baseline.source}\`: ${NOISE_RULE}`, "");
  }
  lines.push("## Contenders", "");
  for (const c of report.contenders) {
    lines.push(`- \`${c.name}\` (${c.kind})${c.note ? `: ${c.note}` : ""}${c.ended ? `; ${c.ended}` : ""}`);
  }
  lines.push(
    "",
    "## Results",
    "",
    formatTable(report, { format: "markdown", verdicts: options.baseline?.verdicts }),
    "",
  );
  lines.push("## Charts", "");
  for (const c of report.cases) lines.push(`### ${c.id}`, "", c.title, "", `![${c.id}](${chartFileName(c.id)})`, "");
  return lines.join("\n");
}
