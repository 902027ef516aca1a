/**
 * Runs example scenarios as tests: one `Deno.test` per example x backend
 * (every example is written to run on every backend),
 * checking the first line names the backend, that no exception escaped a
 * thread, and that the run left no thread or waiter behind.
 *
 * @module
 */
import { assertEquals } from "@std/assert";
import { backendNames, getBackend } from "../backends/mod.ts";
import { getExcepthook, pendingWaits, runningThreads, setExcepthook } from "@locksmith/threading";

/** One example and what its output must show. */
export interface ExampleCase {
  readonly name: string;
  readonly main: (backend: string) => Promise<string[]>;
  /** Checks the output lines after the first (`backend: <name>`), which the runner checks. */
  readonly check: (lines: string[], backend: string) => void;
}

/** Registers the tests of `cases` on every registered backend. */
export function testExamples(cases: readonly ExampleCase[]): void {
  for (const backendName of backendNames()) {
    const backend = getBackend(backendName);
    for (const c of cases) {
      Deno.test({
        name: `[${backendName}] Example ${c.name}`,
        fn: async () => {
          // Only what this run leaves behind counts (one hung example must not fail the next ones too).
          const threadsBefore = runningThreads().length;
          const waitsBefore = pendingWaits().length;
          const escaped: unknown[] = [];
          const previousHook = getExcepthook();
          setExcepthook((args) => escaped.push(args.excValue));
          let lines: string[];
          try {
            lines = await c.main(backendName);
          } finally {
            setExcepthook(previousHook);
          }
          assertEquals(escaped, [], "an exception escaped a thread");
          assertEquals(lines[0], `backend: ${backend.name}`);
          c.check(lines.slice(1), backend.name);
          assertEquals(runningThreads().slice(threadsBefore), [], "threads left running");
          assertEquals(pendingWaits().slice(waitsBefore), [], "waiters left behind");
        },
      });
    }
  }
}
