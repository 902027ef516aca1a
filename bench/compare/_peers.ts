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
import { type Counted, perThread, sharedInts } from "./_workloads.ts";

/** A lock as the peers' loops see it: acquire resolves with a release function. */
type Acquire = () => Promise<() => void>;

/** The uncontended loop over any lock. */
async function uncontended(acquire: Acquire, iterations: number): Promise<Counted> {
  let got = 0;
  for (let i = 0; i < iterations; i++) {
    const release = await acquire();
    got++;
    release();
  }
  return { got, expected: iterations, what: "acquisitions" };
}

/** The contended loop: `threads` async tasks increment one counter under the lock, awaiting inside. */
async function contended(acquire: Acquire, context: RunContext): Promise<Counted> {
  const n = perThread(context);
  let counter = 0;
  const task = async () => {
    for (let i = 0; i < n; i++) {
      const release = await acquire();
      const read = counter;
      await null;
      counter = read + 1;
      release();
    }
  };
  await Promise.all(Array.from({ length: context.threads }, task));
  return { got: counter, expected: n * context.threads, what: "counter" };
}

const JOBS = 16;
/** 16 async jobs through a 4-permit limiter. */
async function limited(acquire: Acquire, context: RunContext) {
  const n = Math.max(1, Math.floor(context.iterations / JOBS));
  let active = 0;
  let highest = 0;
  let passes = 0;
  const job = async () => {
    for (let i = 0; i < n; i++) {
      const release = await acquire();
      highest = Math.max(highest, ++active);
      await null;
      active--;
      passes++;
      release();
    }
  };
  await Promise.all(Array.from({ length: JOBS }, job));
  return { passes, expected: n * JOBS, highest };
}

/** p-limit runs functions rather than handing out a lock: this adapts it to `Acquire`. */
function pLimitAcquire(concurrency: number): Acquire {
  const limit = pLimit(concurrency);
  return () =>
    new Promise((granted) => {
      void limit(() => new Promise<void>((release) => granted(release)));
    });
}

function floorAcquire(mutex: FloorMutex): Acquire {
  return async () => {
    await mutex.acquire();
    return () => mutex.release();
  };
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
        "lock-uncontended": ({ iterations }) => uncontended(floorAcquire(new FloorMutex()), iterations),
        "lock-contended": (context) => contended(floorAcquire(new FloorMutex()), context),
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
        "lock-uncontended": ({ iterations }) => {
          const m = new AmMutex();
          return uncontended(() => m.acquire(), iterations);
        },
        "lock-contended": (context) => {
          const m = new AmMutex();
          return contended(() => m.acquire(), context);
        },
        "semaphore-limit": (context) => {
          const s = new AmSemaphore(4);
          return limited(async () => (await s.acquire())[1], context);
        },
      },
    }),
    functionPeer({
      name: "await-lock",
      note: "await-lock 3.0.0",
      runs: {
        "lock-uncontended": ({ iterations }) => {
          const l = new AwaitLock();
          return uncontended(async () => (await l.acquireAsync(), () => l.release()), iterations);
        },
        "lock-contended": (context) => {
          const l = new AwaitLock();
          return contended(async () => (await l.acquireAsync(), () => l.release()), context);
        },
      },
    }),
    functionPeer({
      name: "esfx-semaphore",
      note: "@esfx/async-semaphore 1.0.0 (AsyncSemaphore(1) as a lock; (4) for the limit)",
      runs: {
        "lock-uncontended": ({ iterations }) => {
          const s = new AsyncSemaphore(1);
          return uncontended(async () => (await s.wait(), () => s.release()), iterations);
        },
        "lock-contended": (context) => {
          const s = new AsyncSemaphore(1);
          return contended(async () => (await s.wait(), () => s.release()), context);
        },
        "semaphore-limit": (context) => {
          const s = new AsyncSemaphore(4);
          return limited(async () => (await s.wait(), () => s.release()), context);
        },
      },
    }),
    functionPeer({
      name: "p-limit",
      note: "p-limit 7.3.3 (pLimit(1) as a lock; pLimit(4) for the limit)",
      runs: {
        "lock-uncontended": ({ iterations }) => uncontended(pLimitAcquire(1), iterations),
        "lock-contended": (context) => contended(pLimitAcquire(1), context),
        "semaphore-limit": (context) => limited(pLimitAcquire(4), context),
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
