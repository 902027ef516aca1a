/**
 * Every example, with the line that shows it worked: the list that
 * `deno task demo` runs on every backend, and that `deno task compare`
 * times as the seeds' scenarios.
 *
 * @module
 */
import type { BackendChoice } from "@locksmith/threading";
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
import { main as parallelSpeedup } from "./parallel_speedup.ts";
import { main as poolSpeedup } from "./pool_speedup.ts";
import { main as compareMyWorkload } from "./compare_my_workload.ts";

/** One example, and how to tell that it worked. */
export interface Scenario {
  /** The example's file name, without `.ts`. */
  readonly name: string;
  /** Whether it is one of the seeds' scenarios (the Python notes this project grew from). */
  readonly seed: boolean;
  /** Runs it on a backend; returns its lines (the first is `backend: <name>`). */
  readonly main: (backend: BackendChoice) => Promise<string[]>;
  /** Says what is wrong with the output, or nothing. */
  readonly check: (lines: string[]) => string | undefined;
}

function expectLine(line: string): (lines: string[]) => string | undefined {
  return (lines) => lines.includes(line) ? undefined : `missing line '${line}'`;
}

function expectMatch(pattern: RegExp): (lines: string[]) => string | undefined {
  return (lines) => lines.some((line) => pattern.test(line)) ? undefined : `no line matches ${pattern}`;
}

/** Every example, the seeds' first. */
export const scenarios: readonly Scenario[] = [
  {
    name: "named_thread_loop",
    seed: true,
    main: namedThreadLoop,
    check: expectLine("thread LoopThread ended."),
  },
  {
    name: "bank_balance",
    seed: true,
    main: bankBalance,
    check: expectLine("with a Lock: balance 0 after 2 threads x 100000 changes"),
  },
  { name: "counter", seed: true, main: counter, check: expectLine("x = 18000 (3 x 6000 = 18000)") },
  { name: "rlock_runner", seed: true, main: rlockRunner, check: expectLine("num = 6; the RLock is free") },
  {
    name: "local_school",
    seed: true,
    main: localSchool,
    check: (lines) => expectLine("Hello, Alice (in Thread-A)")(lines) ?? expectLine("Hello, Bob (in Thread-B)")(lines),
  },
  {
    name: "students_teacher_event",
    seed: true,
    main: studentsTeacherEvent,
    check: (lines) => {
      const started = lines.filter((line) => line.endsWith("starts the exam")).length;
      return started === 3 ? undefined : `${started} of 3 students started the exam`;
    },
  },
  {
    name: "producer_consumer",
    seed: true,
    main: producerConsumer,
    check: expectLine("consumed 6 of 6 items: 1 2 3 4 5 6"),
  },
  { name: "timer", seed: true, main: timer, check: expectLine("greeter fired: hello, world") },
  { name: "barrier", seed: true, main: barrier, check: expectLine("round 2 arrival indices: 0 1 2") },
  {
    name: "singleton",
    seed: true,
    main: singleton,
    check: expectLine("synchronized: 1 instance created; 5 threads got the same one: true"),
  },
  {
    name: "queue_pipeline",
    seed: false,
    main: queuePipeline,
    check: expectLine("results.join() returned: the consumer saw everything"),
  },
  { name: "pool_map", seed: true, main: poolMap, check: expectMatch(/total 24300 bytes/) },
  { name: "as_completed", seed: false, main: asCompleted, check: expectLine("total: 115000 bytes") },
  {
    name: "parallel_bank_balance",
    seed: false,
    main: parallelBankBalance,
    check: expectMatch(/^with a Lock: balance 0 after 2 threads x 100000 changes/),
  },
  {
    name: "parallel_counter",
    seed: false,
    main: parallelCounter,
    check: expectLine("x = 18000 (3 x 6000 = 18000)"),
  },
  {
    name: "parallel_speedup",
    seed: false,
    main: (backend) => parallelSpeedup(200_000, backend),
    check: expectMatch(/^primes below 200000: 17984 \(1 thread\), 17984 \(\d threads\)$/),
  },
  {
    name: "pool_speedup",
    seed: false,
    main: (backend) => poolSpeedup(200_000, backend),
    check: expectMatch(/^primes below 200000 in 32 chunks: 17984 \(one thread\), 17984 \(Pool\(\d\)\.map\)$/),
  },
  {
    name: "compare_my_workload",
    seed: false,
    main: (backend) => compareMyWorkload([String(backend)]),
    // A row with a time for the backend: not `n/a`, not `FAILED`.
    check: expectMatch(/^my-transfers +\S+ +\d/),
  },
];
