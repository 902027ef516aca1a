/**
 * One self-contained SVG chart per case: a bar per contender for its
 * median time per operation, a whisker for the min-max range of its
 * samples, its ratio to the baseline as a label, one colour per contender.
 *
 * @module
 */
import type { CaseReport, Report } from "./report.ts";
import { formatDuration, formatRatio } from "./table.ts";

// Colour-blind-safe palette (Okabe-Ito), then a few more.
const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#332288",
  "#999999",
  "#7B3294",
  "#1B7837",
  "#B2182B",
];

const WIDTH = 820;
const LABEL = 190;
const RIGHT = 170;
const ROW = 28;
const TOP = 64;

/**
 * The colour of a contender in every chart of a report: by its place in
 * `report.contenders`.
 *
 * @param report The report.
 * @param contender The contender's name.
 * @returns A CSS colour.
 */
export function contenderColour(report: Pick<Report, "contenders">, contender: string): string {
  const i = report.contenders.findIndex((c) => c.name === contender);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}

/**
 * Draws one case of a report as an SVG document.
 *
 * @param report The report (for colours, the machine and the baseline).
 * @param workloadCase One of its cases.
 * @returns The SVG text, self-contained (no fonts, scripts or links outside it).
 *
 * @example A chart of the first case
 * ```ts
 * import { renderChart, runExperiment } from "@locksmith/threading/experiment";
 * import { assertStringIncludes } from "@std/assert";
 *
 * const report = await runExperiment({
 *   workloads: [{ name: "noop", run: () => 1 }],
 *   backends: ["async", "cooperative"],
 *   repetitions: 2,
 *   sampleMs: 1,
 *   warmUpMs: 1,
 * });
 * const svg = renderChart(report, report.cases[0]);
 * assertStringIncludes(svg, "<svg");
 * ```
 */
export function renderChart(report: Report, workloadCase: CaseReport): string {
  const cells = workloadCase.cells;
  const height = TOP + cells.length * ROW + 56;
  const measured = cells.filter((c) => c.status === "measured" && c.nsPerOp !== undefined);
  const top = Math.max(1e-9, ...measured.map((c) => c.nsPerOp!.max));
  const bottom = Math.max(1e-9, Math.min(top, ...measured.map((c) => c.nsPerOp!.min)));
  // Times that span more than 20x go on a log scale, or the fast ones would be invisible slivers.
  const logScale = top / bottom > 20;
  const low = logScale ? 10 ** Math.floor(Math.log10(bottom)) : 0;
  const high = logScale ? 10 ** Math.ceil(Math.log10(top)) : niceCeiling(top);
  const plot = WIDTH - LABEL - RIGHT;
  const x = (ns: number) =>
    LABEL +
    (logScale ? Math.log10(Math.max(ns, low) / low) / Math.log10(high / low) : ns / high) * plot;
  const ticks = logScale
    ? Array.from({ length: Math.round(Math.log10(high / low)) + 1 }, (_, k) => low * 10 ** k)
    : [0, 1, 2, 3, 4].map((k) => (high * k) / 4);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(`${workloadCase.id}: ${workloadCase.title}`)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(workloadCase.id)}</text>`,
    `<text x="12" y="40" fill="#333333">${escapeXml(truncate(workloadCase.title, 110))}</text>`,
    `<text x="12" y="56" fill="#666666" font-size="11">${
      escapeXml(
        `median time per operation${
          logScale ? " (log scale)" : ""
        }, whiskers min-max of ${report.method.repetitions} repetitions; ratios to ${
          workloadCase.baseline ?? "(no baseline measured)"
        } per repetition`,
      )
    }</text>`,
  );
  // Grid and axis ticks.
  const axisY = TOP + cells.length * ROW + 4;
  for (const ns of ticks) {
    const gx = x(ns).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${TOP - 4}" x2="${gx}" y2="${axisY}" stroke="#dddddd"/>`,
      `<text x="${gx}" y="${axisY + 16}" text-anchor="middle" fill="#444444" font-size="11">${
        escapeXml(formatDuration(ns / 1e6))
      }</text>`,
    );
  }
  cells.forEach((cell, i) => {
    const y = TOP + i * ROW;
    const colour = contenderColour(report, cell.contender);
    parts.push(
      `<text x="${LABEL - 8}" y="${y + 17}" text-anchor="end">${escapeXml(truncate(cell.contender, 28))}</text>`,
    );
    if (cell.status !== "measured" || cell.nsPerOp === undefined) {
      const what = cell.status === "failed" ? "FAILED" : "n/a";
      parts.push(
        `<text x="${LABEL + 4}" y="${y + 17}" fill="${cell.status === "failed" ? "#B2182B" : "#666666"}">${
          escapeXml(truncate(`${what}: ${cell.reason ?? ""}`, 95))
        }</text>`,
      );
      return;
    }
    const { median, min, max } = cell.nsPerOp;
    const barEnd = x(median);
    parts.push(
      `<rect x="${LABEL}" y="${y + 5}" width="${Math.max(1, barEnd - LABEL).toFixed(1)}" height="${
        ROW - 10
      }" fill="${colour}" fill-opacity="0.85"><title>${
        escapeXml(
          `${cell.contender}: ${formatDuration(median / 1e6)} per operation (${formatDuration(min / 1e6)} - ${
            formatDuration(max / 1e6)
          })`,
        )
      }</title></rect>`,
      `<line x1="${x(min).toFixed(1)}" y1="${y + ROW / 2}" x2="${x(max).toFixed(1)}" y2="${
        y + ROW / 2
      }" stroke="#222222" stroke-width="1.5"/>`,
      `<line x1="${x(min).toFixed(1)}" y1="${y + 8}" x2="${x(min).toFixed(1)}" y2="${
        y + ROW - 8
      }" stroke="#222222" stroke-width="1.5"/>`,
      `<line x1="${x(max).toFixed(1)}" y1="${y + 8}" x2="${x(max).toFixed(1)}" y2="${
        y + ROW - 8
      }" stroke="#222222" stroke-width="1.5"/>`,
    );
    const ratio = cell.contender === workloadCase.baseline
      ? "baseline"
      : cell.ratio !== undefined
      ? formatRatio(cell.ratio.median)
      : "";
    parts.push(
      `<text x="${WIDTH - RIGHT + 8}" y="${y + 17}">${escapeXml(`${formatDuration(median / 1e6)}  ${ratio}`)}</text>`,
    );
  });
  parts.push(
    `<text x="12" y="${height - 10}" fill="#666666" font-size="10">${
      escapeXml(
        `Deno ${report.runtime.deno}, V8 ${report.runtime.v8}, ${report.machine.os}/${report.machine.arch}, ${report.machine.cpus} CPUs; ${report.createdAt}`,
      )
    }</text>`,
    "</svg>",
  );
  return parts.join("\n") + "\n";
}

/** A round number (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at or above `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Escapes text for XML content and attribute values.
 *
 * @param text Any text.
 * @returns It with `& < > " '` escaped.
 */
export function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}
