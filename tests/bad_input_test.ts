/**
 * Every bad input of the table in `tests/bad_input/` is refused at the call:
 * the call throws (or its Promise rejects) with the error class the row
 * names, its message names the argument and shows what was received, and
 * nothing hangs (each call is bounded with `deadline`) or stays behind (no
 * pending wait, no running thread). The README's "Bad input" table is the
 * same rows, rendered; every export of the covered entry points has rows or
 * a stated reason to have none.
 *
 * @module
 */
import { assert, assertEquals } from "@std/assert";
import { deadline } from "@std/async/deadline";
import { pendingWaits, runningThreads } from "@locksmith/threading";
import { type BadInput, REASON, type Scope, SIGNAL_REASON } from "./bad_input/rows.ts";
import { BEGIN, END, renderTable, tableContent, TABLES } from "./bad_input/mod.ts";

/** How long a call may stay pending before the row counts as a hang (a bound, not a measurement). */
const HANG_BOUND_MS = 5_000;

/** What went wrong with a row, or `undefined` if the call was refused as the row says. */
async function problemOf(row: BadInput): Promise<string | undefined> {
  const cleanups: (() => unknown)[] = [];
  const scope: Scope = { defer: (cleanup) => void cleanups.push(cleanup) };
  let problem: string | undefined;
  try {
    // A returned Promise is awaited (bounded); any other value, a thenable Future included, is what the call made.
    let value = row.run(scope);
    if (value instanceof Promise) value = await deadline(value, HANG_BOUND_MS);
    problem = `accepted: returned ${describeValue(value)}`;
    cleanups.push(() => dispose(value));
  } catch (error) {
    problem = judge(row, error);
  } finally {
    // In order: a row's cleanups release what its call waits on before stopping its pool.
    for (const cleanup of cleanups) {
      try {
        await deadline(Promise.resolve().then(cleanup), HANG_BOUND_MS);
      } catch (error) {
        problem ??= `cleanup failed: ${String(error)}`;
      }
    }
  }
  return problem;
}

function judge(row: BadInput, error: unknown): string | undefined {
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return `hung: still pending after ${HANG_BOUND_MS} ms`;
  }
  if (row.error === SIGNAL_REASON) {
    return error === REASON ? undefined : `expected the signal's reason, got ${String(error)}`;
  }
  if (!(error instanceof row.error) || (error as Error).name !== row.error.name) {
    return `expected ${row.error.name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : error}`;
  }
  const missing = row.mustSay.filter((text) => !error.message.includes(text));
  return missing.length === 0 ? undefined : `message lacks ${missing.join(", ")}: ${error.message}`;
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === "object" || typeof value === "function") return value.constructor?.name ?? typeof value;
  return `${typeof value} ${String(value)}`;
}

/** Puts away what a wrongly accepted call made: a pool, an executor. */
async function dispose(value: unknown): Promise<void> {
  const made = value as { terminate?: () => void; join?: () => Promise<unknown>; shutdown?: () => Promise<void> };
  if (typeof made?.terminate === "function" && typeof made.join === "function") {
    made.terminate();
    await made.join();
  } else if (typeof made?.shutdown === "function") {
    await made.shutdown();
  }
}

for (const [title, rows] of TABLES) {
  Deno.test(`Bad input: ${title}`, async (t) => {
    const calls = new Map<string, BadInput[]>();
    for (const row of rows) calls.set(row.call, [...(calls.get(row.call) ?? []), row]);
    for (const [call, group] of calls) {
      await t.step(call, async () => {
        const problems: string[] = [];
        for (const row of group) {
          const problem = await problemOf(row);
          if (problem !== undefined) problems.push(`${row.call} with ${row.argument} ${row.input}: ${problem}`);
        }
        assertEquals(
          problems,
          [],
          `${problems.length} of ${group.length} bad inputs not refused:\n${problems.join("\n")}`,
        );
        assertEquals(pendingWaits(), [], "a refused call left a waiter behind");
        assertEquals(runningThreads(), [], "a refused call left a thread running");
      });
    }
  });
}

Deno.test("Bad input: the README's table is the test's table", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  assert(start >= 0 && end > start, "README.md has no generated bad-input table");
  assertEquals(
    tableContent(readme.slice(start, end + END.length)),
    tableContent(renderTable()),
    "README.md's bad-input table is out of date: run deno run -A tests/bad_input/mod.ts",
  );
});

/** Exports with no rows, and why. Every other export must appear in some row's call. */
const NO_ROWS: Readonly<Record<string, string>> = {
  TIMEOUT_MAX: "a constant",
  SEMAPHORE_VALUE_MAX: "a constant",
  PARK_INVALID: "a constant",
  FIRST_COMPLETED: "a constant",
  FIRST_EXCEPTION: "a constant",
  ALL_COMPLETED: "a constant",
  activeCount: "takes no arguments",
  currentThread: "takes no arguments",
  enumerate: "takes no arguments",
  getIdent: "takes no arguments",
  getNativeId: "takes no arguments",
  mainThread: "takes no arguments",
  getExcepthook: "takes no arguments",
  getTrace: "takes no arguments",
  getProfile: "takes no arguments",
  getDefaultBackend: "takes no arguments",
  pendingWaits: "takes no arguments",
  runningThreads: "takes no arguments",
  cpuCount: "takes no arguments",
  exitThread: "takes no arguments",
  interruptMain: "takes no arguments",
  Local: "takes no arguments",
  local: "takes no arguments (Local's lower-case alias)",
  LockType: "the Lock class (rows under Lock)",
  ThreadPool: "multiprocessing/dummy's Pool (rows under new Pool)",
  Executor: "an abstract class: rows under ThreadPoolExecutor and ProcessPoolExecutor",
  compareLikePython: "an ordering, not an argument check: items it cannot order are a TypeError naming both",
  AsyncBackend: "the seam for backend authors: its methods are the primitives' hot path, called by the library",
  AtomicsBackend: "the seam for backend authors (allocate's count is checked by the heap's own tests)",
  asyncBackend: "the seam for backend authors, as AsyncBackend",
};

function isError(value: unknown): boolean {
  return typeof value === "function" && value.prototype instanceof Error;
}

Deno.test("Bad input: every export of the covered entry points has rows, or a reason to have none", async () => {
  const entryPoints = [
    "@locksmith/threading",
    "@locksmith/threading/queue",
    "@locksmith/threading/futures",
    "@locksmith/threading/multiprocessing",
    "@locksmith/threading/multiprocessing/dummy",
    "@locksmith/threading/_thread",
  ];
  const calls = TABLES.flatMap(([, rows]) => rows.map((row) => row.call.toLowerCase()));
  const uncovered: string[] = [];
  for (const entry of entryPoints) {
    const module = await import(entry) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      // Error classes take any message, as Error does; ThreadError is RuntimeError's alias.
      if (isError(value) || name in NO_ROWS) continue;
      if (!calls.some((call) => call.includes(name.toLowerCase()))) uncovered.push(`${entry}: ${name}`);
    }
  }
  assertEquals(uncovered, [], "exports with no bad-input rows");
});
