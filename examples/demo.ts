/**
 * `deno task demo`: runs every example on every registered backend and
 * prints a table of scenario x backend results (`ok 0.12s` or `FAIL`).
 * Every example is written once for every backend (thread bodies by module
 * reference, shared state where every backend's threads reach it), so no
 * cell is `n/a`. Each run is checked: its key line is there, no exception
 * escaped a thread, and it left no thread or waiter behind. Exits 0 if every
 * run was ok, 1 otherwise.
 *
 * @module
 */
import { backendNames } from "../backends/mod.ts";
import { getBackend, getExcepthook, pendingWaits, runningThreads, setExcepthook } from "@locksmith/threading";
import { type Scenario, scenarios } from "./_scenarios.ts";

// A run that has not finished by then is reported as a failure.
const RUN_TIMEOUT_MS = 15_000;

/** Runs one scenario on one backend; returns the table cell and, on failure, why. */
async function runOne(scenario: Scenario, backendName: string): Promise<{ cell: string; failure?: string }> {
  let backend;
  try {
    backend = getBackend(backendName);
  } catch (error) {
    return fail(error);
  }
  const escaped: string[] = [];
  const previousHook = getExcepthook();
  setExcepthook(({ excValue, thread }) => escaped.push(`${thread?.name}: ${describeError(excValue)}`));
  const before = snapshot();
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not finish within ${RUN_TIMEOUT_MS / 1000} s`)), RUN_TIMEOUT_MS);
    });
    const lines = await Promise.race([scenario.main(backendName), timedOut]);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const problem = escaped.length > 0
      ? `exception in thread ${escaped[0]}`
      : lines[0] !== `backend: ${backend.name}`
      ? `first line is '${lines[0]}', not 'backend: ${backend.name}'`
      : scenario.check(lines) ?? leftovers(before);
    return problem === undefined ? { cell: `ok ${seconds}s` } : { cell: "FAIL", failure: problem };
  } catch (error) {
    return fail(error);
  } finally {
    clearTimeout(timer);
    setExcepthook(previousHook);
  }
}

/** The threads and waits pending now (one failed run must not fail the next ones too). */
function snapshot(): { threads: string[]; waits: string[] } {
  return { threads: runningThreads(), waits: pendingWaits().map((w) => `${w.thread} on ${w.subject}`) };
}

/** Says which threads or waits the run left behind, or nothing. */
function leftovers(before: { threads: string[]; waits: string[] }): string | undefined {
  const now = snapshot();
  const threads = now.threads.slice(before.threads.length);
  if (threads.length > 0) return `threads left running: ${threads.join(", ")}`;
  const waits = now.waits.slice(before.waits.length);
  if (waits.length > 0) return `waiters left behind: ${waits.join(", ")}`;
  return undefined;
}

function fail(error: unknown): { cell: string; failure: string } {
  return { cell: "FAIL", failure: describeError(error) };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

const backends = backendNames();
const failures: string[] = [];
const rows: string[][] = [];
for (const scenario of scenarios) {
  const row = [scenario.name];
  for (const backendName of backends) {
    const { cell, failure } = await runOne(scenario, backendName);
    row.push(failure === undefined ? cell : `FAIL: ${failure.length > 40 ? `${failure.slice(0, 39)}…` : failure}`);
    if (failure !== undefined) failures.push(`${scenario.name} on ${backendName}: ${failure}`);
  }
  rows.push(row);
}

const header = ["scenario", ...backends];
const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)) + 2);
console.log(header.map((text, column) => pad(text, widths[column])).join("").trimEnd());
for (const row of rows) console.log(row.map((text, column) => pad(text, widths[column])).join("").trimEnd());
if (failures.length > 0) {
  console.log(`\n${failures.length} run(s) failed:`);
  for (const failure of failures) console.log(`- ${failure}`);
  Deno.exit(1);
}
console.log(`\nevery example ran ok on every backend (${backends.join(", ")})`);
