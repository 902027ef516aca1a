/**
 * `deno task demo`: runs every example on every registered backend and
 * prints a table of scenario x backend results (`ok 0.12s`, `FAIL`, or `n/a`
 * where a backend cannot run the example's function targets). Each run is
 * checked: its key line is there, no exception escaped a thread, and it
 * left no thread or waiter behind. Exits 0 if every run was ok, 1 otherwise.
 *
 * @module
 */
import { backendNames } from "../backends/mod.ts";
import {
  type BackendChoice,
  getBackend,
  getExcepthook,
  pendingWaits,
  runningThreads,
  setExcepthook,
} from "@locksmith/threading";
import { main as namedThreadLoop } from "./named_thread_loop.ts";
import { main as bankBalance } from "./bank_balance.ts";
import { main as counter } from "./counter.ts";
import { main as rlockRunner } from "./rlock_runner.ts";
import { main as localSchool } from "./local_school.ts";
import { main as studentsTeacherEvent } from "./students_teacher_event.ts";
import { main as producerConsumer } from "./producer_consumer.ts";
import { main as timer } from "./timer.ts";
import { main as barrier } from "./barrier.ts";
import { main as singleton } from "./singleton.ts";
import { main as queuePipeline } from "./queue_pipeline.ts";
import { main as poolMap } from "./pool_map.ts";
import { main as asCompleted } from "./as_completed.ts";
import { main as parallelBankBalance } from "./parallel_bank_balance.ts";
import { main as parallelCounter } from "./parallel_counter.ts";

/** One example, and the line that shows it worked. */
interface Scenario {
  readonly name: string;
  readonly main: (backend: BackendChoice) => Promise<string[]>;
  /** Says what is wrong with the output, or nothing. */
  readonly check: (lines: string[]) => string | undefined;
  /** The only backends it is written for (Workers sharing memory); others show `n/a`. */
  readonly only?: readonly string[];
}

function expectLine(line: string): (lines: string[]) => string | undefined {
  return (lines) => lines.includes(line) ? undefined : `missing line '${line}'`;
}

const scenarios: readonly Scenario[] = [
  { name: "named_thread_loop", main: namedThreadLoop, check: expectLine("thread LoopThread ended.") },
  {
    name: "bank_balance",
    main: bankBalance,
    check: expectLine("with a Lock: balance 0 after 2 threads x 100000 changes"),
  },
  { name: "counter", main: counter, check: expectLine("x = 18000 (3 x 6000 = 18000)") },
  { name: "rlock_runner", main: rlockRunner, check: expectLine("num = 6; the RLock is free") },
  {
    name: "local_school",
    main: localSchool,
    check: (lines) => expectLine("Hello, Alice (in Thread-A)")(lines) ?? expectLine("Hello, Bob (in Thread-B)")(lines),
  },
  {
    name: "students_teacher_event",
    main: studentsTeacherEvent,
    check: (lines) => {
      const started = lines.filter((line) => line.endsWith("starts the exam")).length;
      return started === 3 ? undefined : `${started} of 3 students started the exam`;
    },
  },
  {
    name: "producer_consumer",
    main: producerConsumer,
    check: expectLine("consumed 6 of 6 items: 1 2 3 4 5 6"),
  },
  { name: "timer", main: timer, check: expectLine("greeter fired: hello, world") },
  { name: "barrier", main: barrier, check: expectLine("round 2 arrival indices: 0 1 2") },
  {
    name: "singleton",
    main: singleton,
    check: expectLine("synchronized: 1 instance created; 5 threads got the same one: true"),
  },
  {
    name: "queue_pipeline",
    main: queuePipeline,
    check: expectLine("results.join() returned: the consumer saw everything"),
  },
  {
    name: "pool_map",
    main: poolMap,
    check: (lines) =>
      lines.some((l) => l.includes("total 24300 bytes")) ? undefined : "missing the total of 24300 bytes",
  },
  { name: "as_completed", main: asCompleted, check: expectLine("total: 115000 bytes") },
  {
    name: "parallel_bank_balance",
    main: () => parallelBankBalance(),
    check: expectLine("with a Lock: balance 0 after 2 Workers x 100000 changes"),
    only: ["atomics"],
  },
  {
    name: "parallel_counter",
    main: () => parallelCounter(),
    check: expectLine("x = 18000 (3 x 6000 = 18000)"),
    only: ["atomics"],
  },
];

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
  if (scenario.only ? !scenario.only.includes(backend.name) : !backend.capabilities.functionTargets) {
    return { cell: "n/a" };
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
console.log(`\nevery example ran ok on every backend that can run it (${backends.join(", ")})`);
