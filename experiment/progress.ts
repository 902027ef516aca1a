/**
 * Progress of a running experiment on standard error: a bar that redraws
 * itself on a terminal, plain lines otherwise (a log, a pipe, CI).
 *
 * @module
 */
import type { ProgressEvent } from "./run.ts";

/** Where progress goes: standard error by default. */
export interface ProgressOutput {
  /** Whether it is a terminal (a bar) or not (lines). */
  isTerminal(): boolean;
  /** Writes bytes. */
  writeSync(bytes: Uint8Array): number;
}

/** A progress display: pass `report` as `onProgress`, call `finish` at the end. */
export interface Progress {
  /** Shows one step. */
  report(event: ProgressEvent): void;
  /** Ends the display (clears the bar). */
  finish(): void;
}

/**
 * Makes a progress display for `runExperiment`'s `onProgress`. Plain lines
 * say when each case started and when the run ended, in seconds from the
 * display's creation.
 *
 * @param output Where to write (default: standard error).
 * @returns The display.
 *
 * @example Lines when the output is not a terminal
 * ```ts
 * import { progressDisplay } from "@locksmith/threading/experiment";
 * import { assertEquals } from "@std/assert";
 *
 * let text = "";
 * const output = {
 *   isTerminal: () => false,
 *   writeSync: (bytes: Uint8Array) => (text += new TextDecoder().decode(bytes), bytes.length),
 * };
 * const progress = progressDisplay(output);
 * progress.report({ done: 1, total: 2, caseId: "noop", contender: "async", step: "warm-up" });
 * progress.report({ done: 2, total: 2, caseId: "noop", contender: "async", step: "sample" });
 * progress.finish();
 * assertEquals(text.replace(/\d+\.\d s/g, "T"), "[ 50%] noop (at T)\n[100%] done in T\n");
 * ```
 */
export function progressDisplay(output: ProgressOutput = Deno.stderr): Progress {
  const encoder = new TextEncoder();
  const terminal = output.isTerminal();
  let lastCase = "";
  let drawn = false;
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const write = (text: string) => output.writeSync(encoder.encode(text));
  const percent = (e: ProgressEvent) => `${Math.floor((100 * e.done) / Math.max(1, e.total))}%`.padStart(4);
  return {
    report(event) {
      if (terminal) {
        const width = 30;
        const filled = Math.round((width * event.done) / Math.max(1, event.total));
        const bar = "#".repeat(filled) + ".".repeat(width - filled);
        const what = `${event.caseId} on ${event.contender}`.slice(0, 50).padEnd(50);
        write(`\r[${bar}] ${percent(event)} ${what}`);
        drawn = true;
        return;
      }
      // Plain lines: one when a case starts, and one when the whole run is done.
      if (event.caseId !== lastCase) {
        lastCase = event.caseId;
        write(`[${percent(event)}] ${event.caseId} (at ${elapsed()})\n`);
      }
      if (event.done >= event.total) write(`[${percent(event)}] done in ${elapsed()}\n`);
    },
    finish() {
      if (terminal && drawn) write(`\r${" ".repeat(90)}\r`);
    },
  };
}
