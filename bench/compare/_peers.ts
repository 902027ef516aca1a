/**
 * The peers of `deno task compare`: other libraries' versions of the
 * workloads (run in this process, as plain async tasks), a raw `Atomics`
 * floor, V8's native `Atomics.Mutex` (in a child Deno with
 * `--harmony-struct`), and CPython (a `python3` child). Each peer is
 * checked by the workload's own check.
 *
 * @module
 */
import { Barrier, Thread } from "@locksmith/threading";
import { childProcessPeer, type Contender, functionPeer, type RunContext } from "@locksmith/threading/experiment";
import { Mutex as AmMutex, Semaphore as AmSemaphore } from "async-mutex";
import AwaitLock from "await-lock";
import { AsyncSemaphore } from "@esfx/async-semaphore";
import pLimit from "p-limit";
import { FloorCondition, FloorMutex } from "../_floor_mutex.ts";
import { type Counted, perThread, sharedInts, tasks } from "./_workloads.ts";

// Every loop is written out per library (as in bench/_workloads.ts): a loop shared through a
// callback would make its call sites megamorphic and measure V8's inline caches, not the locks.

const JOBS = 16;

/** The result of a contended run. */
function counted(counter: number, context: RunContext): Counted {
  return { got: counter, expected: perThread(context) * context.threads, what: "counter" };
}

/** The semaphore-limit check's input, from a run's counts. */
function limitResult(passes: number, highest: number, n: number) {
  return { passes, expected: n * JOBS, highest };
}

/** p-limit runs functions rather than handing out a permit: the job's body is the function. */
async function pLimitJobs(concurrency: number, jobs: number, n: number, body: () => Promise<void>): Promise<void> {
  const limit = pLimit(concurrency);
  await tasks(jobs, async () => {
    for (let i = 0; i < n; i++) await limit(body);
  });
}

/**
 * The in-process peers.
 *
 * @param workerLimit Above this many threads, the Worker-based floor says it is not run (and why).
 */
export function libraryPeers(workerLimit = Infinity): Contender[] {
  return [
    functionPeer({
      name: "floor",
      note: "a hand-written FIFO promise-queue mutex and promise condition (bench/_floor_mutex.ts)",
      runs: {
        "lock-uncontended": async ({ iterations }) => {
          const mutex = new FloorMutex();
          let got = 0;
          for (let i = 0; i < iterations; i++) {
            await mutex.acquire();
            got++;
            mutex.release();
          }
          return { got, expected: iterations, what: "acquisitions" };
        },
        "lock-contended": async (context) => {
          const mutex = new FloorMutex();
          const n = perThread(context);
          let counter = 0;
          await tasks(context.threads, async () => {
            for (let i = 0; i < n; i++) {
              await mutex.acquire();
              const read = counter;
              await null;
              counter = read + 1;
              mutex.release();
            }
          });
          return counted(counter, context);
        },
        "condition-ping-pong": async ({ iterations }) => {
          const mutex = new FloorMutex();
          const condition = new FloorCondition(mutex);
          let turn = 0;
          let passed = 0;
          const player = async (me: number) => {
            for (let i = 0; i < iterations; i++) {
              await mutex.acquire();
              while (turn !== me) await condition.wait();
              turn = 1 - me;
              passed++;
              condition.notify();
              mutex.release();
            }
          };
          await Promise.all([player(0), player(1)]);
          return { got: passed, expected: 2 * iterations, what: "turns passed" };
        },
      },
    }),
    functionPeer({
      name: "async-mutex",
      note: "async-mutex 0.5.0 (Mutex; Semaphore(4) for the limit)",
      runs: {
        "lock-uncontended": async ({ iterations }) => {
          const mutex = new AmMutex();
          let got = 0;
          for (let i = 0; i < iterations; i++) {
            const release = await mutex.acquire();
            got++;
            release();
          }
          return { got, expected: iterations, what: "acquisitions" };
        },
        "lock-contended": async (context) => {
          const mutex = new AmMutex();
          const n = perThread(context);
          let counter = 0;
          await tasks(context.threads, async () => {
            for (let i = 0; i < n; i++) {
              const release = await mutex.acquire();
              const read = counter;
              await null;
              counter = read + 1;
              release();
            }
          });
          return counted(counter, context);
        },
        "semaphore-limit": async ({ iterations }) => {
          const semaphore = new AmSemaphore(4);
          const n = Math.max(1, Math.floor(iterations / JOBS));
          let active = 0, highest = 0, passes = 0;
          await tasks(JOBS, async () => {
            for (let i = 0; i < n; i++) {
              const [, release] = await semaphore.acquire();
              highest = Math.max(highest, ++active);
              await null;
              active--;
              passes++;
              release();
            }
          });
          return limitResult(passes, highest, n);
        },
      },
    }),
    functionPeer({
      name: "await-lock",
      note: "await-lock 3.0.0",
      runs: {
        "lock-uncontended": async ({ iterations }) => {
          const lock = new AwaitLock();
          let got = 0;
          for (let i = 0; i < iterations; i++) {
            await lock.acquireAsync();
            got++;
            lock.release();
          }
          return { got, expected: iterations, what: "acquisitions" };
        },
        "lock-contended": async (context) => {
          const lock = new AwaitLock();
          const n = perThread(context);
          let counter = 0;
          await tasks(context.threads, async () => {
            for (let i = 0; i < n; i++) {
              await lock.acquireAsync();
              const read = counter;
              await null;
              counter = read + 1;
              lock.release();
            }
          });
          return counted(counter, context);
        },
      },
    }),
    functionPeer({
      name: "esfx-semaphore",
      note: "@esfx/async-semaphore 1.0.0 (AsyncSemaphore(1) as a lock; (4) for the limit)",
      runs: {
        "lock-uncontended": async ({ iterations }) => {
          const semaphore = new AsyncSemaphore(1);
          let got = 0;
          for (let i = 0; i < iterations; i++) {
            await semaphore.wait();
            got++;
            semaphore.release();
          }
          return { got, expected: iterations, what: "acquisitions" };
        },
        "lock-contended": async (context) => {
          const semaphore = new AsyncSemaphore(1);
          const n = perThread(context);
          let counter = 0;
          await tasks(context.threads, async () => {
            for (let i = 0; i < n; i++) {
              await semaphore.wait();
              const read = counter;
              await null;
              counter = read + 1;
              semaphore.release();
            }
          });
          return counted(counter, context);
        },
        "semaphore-limit": async ({ iterations }) => {
          const semaphore = new AsyncSemaphore(4);
          const n = Math.max(1, Math.floor(iterations / JOBS));
          let active = 0, highest = 0, passes = 0;
          await tasks(JOBS, async () => {
            for (let i = 0; i < n; i++) {
              await semaphore.wait();
              highest = Math.max(highest, ++active);
              await null;
              active--;
              passes++;
              semaphore.release();
            }
          });
          return limitResult(passes, highest, n);
        },
      },
    }),
    functionPeer({
      name: "p-limit",
      note: "p-limit 7.3.3 (pLimit(1) as a lock; pLimit(4) for the limit): it runs functions, it does not lend a lock",
      runs: {
        "lock-uncontended": async ({ iterations }) => {
          const limit = pLimit(1);
          let got = 0;
          const body = () => {
            got++;
            return Promise.resolve();
          };
          for (let i = 0; i < iterations; i++) await limit(body);
          return { got, expected: iterations, what: "acquisitions" };
        },
        "lock-contended": async (context) => {
          let counter = 0;
          await pLimitJobs(1, context.threads, perThread(context), async () => {
            const read = counter;
            await null;
            counter = read + 1;
          });
          return counted(counter, context);
        },
        "semaphore-limit": async ({ iterations }) => {
          const n = Math.max(1, Math.floor(iterations / JOBS));
          let active = 0, highest = 0, passes = 0;
          await pLimitJobs(4, JOBS, n, async () => {
            highest = Math.max(highest, ++active);
            await null;
            active--;
            passes++;
          });
          return limitResult(passes, highest, n);
        },
      },
    }),
    functionPeer({
      name: "atomics-floor",
      note: "raw Atomics: compareExchange/store in the main thread; a hand-written futex lock in Workers",
      unavailable: ({ threads }) => threads > workerLimit ? tooManyWorkers(threads, workerLimit) : undefined,
      runs: {
        "lock-uncontended": ({ iterations }) => {
          const cell = sharedInts(1);
          let got = 0;
          for (let i = 0; i < iterations; i++) {
            while (Atomics.compareExchange(cell, 0, 0, 1) !== 0) { /* never contended here */ }
            got++;
            Atomics.store(cell, 0, 0);
          }
          return { got, expected: iterations, what: "acquisitions" };
        },
        "lock-contended": async (context) => {
          // The atomics backend's Threads (Workers), with a raw futex lock instead of the library's Lock.
          const futex = sharedInts(1);
          const counter = sharedInts(1);
          const n = perThread(context);
          const ready = new Barrier(context.threads + 1, null, null, { backend: "atomics" });
          const threads = Array.from({ length: context.threads }, () =>
            new Thread({
              backend: "atomics",
              target: { module: new URL("./_bodies.ts", import.meta.url).href, export: "futexIncrements" },
              args: [ready, futex, counter, n],
            }));
          for (const t of threads) t.start();
          await ready.wait();
          context.startClock();
          for (const t of threads) await t.join();
          context.stopClock();
          return { got: counter[0], expected: n * context.threads, what: "counter" };
        },
      },
    }),
  ];
}

/** Why a case with more Workers than `limit` is left out of a default run. */
export function tooManyWorkers(threads: number, limit: number): string {
  return `${threads} Workers start in about ${
    Math.round(threads * 0.06)
  } s per run on a small machine: left out of the default run above ${limit}; name the count with --threads to measure it`;
}

/** CPython, when `python3` is on PATH: the same workloads with `threading`, `queue` and `multiprocessing`. */
export function pythonPeer(): Contender {
  return childProcessPeer({
    name: "cpython",
    command: "python3",
    args: [new URL("./_python_peer.py", import.meta.url).pathname],
    note: "CPython (python3)",
  });
}

/**
 * V8's native `Atomics.Mutex`, in a child Deno started with
 * `--v8-flags=--harmony-struct` (which crashes Deno 2.9.6 as it exits: a
 * crash after the last answer still counts as measured).
 */
export function v8MutexPeer(): Contender {
  return childProcessPeer({
    name: "v8-atomics-mutex",
    command: Deno.execPath(),
    args: ["run", "-A", "--v8-flags=--harmony-struct", new URL("./_v8_mutex_peer.ts", import.meta.url).pathname],
    note: "V8's Atomics.Mutex (--harmony-struct, experimental)",
    workloads: ["lock-uncontended"],
  });
}

/** Whether `python3` can be run. */
export async function hasPython(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("python3", { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return success;
  } catch {
    return false;
  }
}
