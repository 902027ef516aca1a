/**
 * The workloads of `deno task compare`, as the library runs them on every
 * backend. Each run returns what its check needs; every body is a module
 * reference into `_bodies.ts`, so the same code runs in Workers (`atomics`)
 * and in this isolate (`async`, `cooperative`). The clock starts once every
 * thread is started and waiting at a barrier (a Worker takes tens of
 * milliseconds to start) and stops when the last one is joined.
 *
 * @module
 */
import { Barrier, Condition, Lock, Semaphore, Thread } from "@locksmith/threading";
import { Queue } from "@locksmith/threading/queue";
import { Pool } from "@locksmith/threading/multiprocessing";
import type { CaseParams, RunContext, Workload } from "@locksmith/threading/experiment";
import { countPrimes } from "./_bodies.ts";
import { seedsWorkload } from "./_seeds.ts";

const BODIES = new URL("./_bodies.ts", import.meta.url).href;

/** Starts one thread per `args` entry on `body`, opens the start barrier, and times until all are joined. */
export async function runThreads(
  context: RunContext,
  body: string,
  argsFor: (ready: Barrier, i: number) => unknown[],
  count: number = context.threads,
): Promise<void> {
  const ready = new Barrier(count + 1, null, null, { backend: context.backend });
  const threads = Array.from({ length: count }, (_, i) =>
    new Thread({
      backend: context.backend,
      name: `${body}-${i + 1}`,
      target: { module: BODIES, export: body },
      args: argsFor(ready, i),
    }));
  for (const t of threads) t.start();
  await ready.wait(); // every thread is running (every Worker has loaded)
  context.startClock();
  for (const t of threads) await t.join();
  context.stopClock();
}

/** A counter in shared memory, readable by every backend's threads. */
export function sharedInts(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * length));
}

/** The counts a run returns, and what they should be. */
export interface Counted {
  readonly got: number;
  readonly expected: number;
  readonly what: string;
}

/** Checks a {@linkcode Counted}: a lost increment or item is a failure. */
export function checkCounted(result: unknown): string | undefined {
  const { got, expected, what } = result as Counted;
  return got === expected ? undefined : `${what}: ${got}, expected ${expected}`;
}

/** Runs `task(i)` as `count` async tasks at once (the peers' and engines' threads: plain tasks). */
export function tasks(count: number, task: (i: number) => Promise<void>): Promise<void[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => task(i)));
}

/** Splits `total` operations over `threads` (at least one each). */
export function perThread(params: CaseParams): number {
  return Math.max(1, Math.floor(params.iterations / params.threads));
}

const uncontended: Workload = {
  name: "lock-uncontended",
  title: "await lock.acquire(); lock.release() on an idle Lock, in the main thread",
  iterations: 2000,
  run: async ({ backend, iterations }: RunContext) => {
    const lock = new Lock({ backend });
    let got = 0;
    for (let i = 0; i < iterations; i++) {
      await lock.acquire();
      got++;
      lock.release();
    }
    return { got, expected: iterations, what: "acquisitions" };
  },
  check: checkCounted,
};

const contended: Workload = {
  name: "lock-contended",
  title: "N threads increment one counter under one Lock, awaiting between the read and the write",
  threads: [2, 8, 64],
  iterations: 1024,
  ops: (p) => perThread(p) * p.threads,
  run: async (context: RunContext) => {
    const lock = new Lock({ backend: context.backend });
    const counter = sharedInts(1);
    const n = perThread(context);
    await runThreads(context, "lockedIncrements", (ready) => [ready, lock, counter, n]);
    return { got: counter[0], expected: n * context.threads, what: "counter" };
  },
  check: checkCounted,
};

const pingPong: Workload = {
  name: "condition-ping-pong",
  title: "2 threads take turns through a Condition over a Lock (one round = one turn each)",
  iterations: 500,
  run: async (context: RunContext) => {
    const cond = new Condition(new Lock({ backend: context.backend }), { backend: context.backend });
    const turn = sharedInts(2);
    await runThreads(context, "pingPongPlayer", (ready, me) => [ready, cond, turn, me, context.iterations], 2);
    return { got: turn[1], expected: 2 * context.iterations, what: "turns passed" };
  },
  check: checkCounted,
};

const JOBS = 16;
const PERMITS = 4;
const semaphore: Workload = {
  name: "semaphore-limit",
  title: `${JOBS} jobs (threads) through a Semaphore(${PERMITS}): take a permit, await, give it back`,
  iterations: 1024,
  ops: (p) => Math.max(1, Math.floor(p.iterations / JOBS)) * JOBS,
  run: async (context: RunContext) => {
    const permits = new Semaphore(PERMITS, { backend: context.backend });
    const stats = sharedInts(3);
    const n = Math.max(1, Math.floor(context.iterations / JOBS));
    await runThreads(context, "semaphoreJob", (ready) => [ready, permits, stats, n], JOBS);
    return { passes: stats[2], expected: n * JOBS, highest: stats[1] };
  },
  check: (result) => {
    const { passes, expected, highest } = result as { passes: number; expected: number; highest: number };
    if (passes !== expected) return `passes: ${passes}, expected ${expected}`;
    if (highest > PERMITS || highest < 1) return `${highest} jobs held a permit at once, with ${PERMITS} permits`;
    return undefined;
  },
};

const queue: Workload = {
  name: "queue-producer-consumer",
  title: "a producer thread puts N numbers on a Queue(16), a consumer thread gets them",
  iterations: 2000,
  run: async (context: RunContext) => {
    const q = new Queue<number>(16, { backend: context.backend });
    const totals = sharedInts(2);
    const n = context.iterations;
    await runThreads(context, "queueEnd", (ready, i) => [ready, i === 0 ? "producer" : "consumer", q, n, totals], 2);
    return { totals: [...totals], n };
  },
  check: (result) => {
    const { totals, n } = result as { totals: number[]; n: number };
    const expected = ((n * (n + 1)) / 2) % 0x7fffffff;
    if (totals[0] !== n) return `items got: ${totals[0]}, expected ${n}`;
    return totals[1] === expected ? undefined : `sum of items: ${totals[1]}, expected ${expected} (an item was lost)`;
  },
};

const BARRIER_THREADS = 4;
const barrier: Workload = {
  name: "barrier-phases",
  title: `${BARRIER_THREADS} threads meet at a Barrier, phase after phase`,
  iterations: 200,
  ops: (p) => p.iterations,
  run: async (context: RunContext) => {
    const b = new Barrier(BARRIER_THREADS, null, null, { backend: context.backend });
    const passes = sharedInts(1);
    await runThreads(context, "barrierPhases", (ready) => [ready, b, passes, context.iterations], BARRIER_THREADS);
    return { got: passes[0], expected: BARRIER_THREADS * context.iterations, what: "passes" };
  },
  check: checkCounted,
};

const CHUNKS = 16;
const expectedPrimes = new Map<number, number>();
/** The bound of the prime count: `iterations` thousands. */
function primeChunks(iterations: number): [number, number][] {
  const limit = iterations * 1000;
  const step = Math.ceil(limit / CHUNKS);
  const chunks: [number, number][] = [];
  for (let from = 0; from < limit; from += step) chunks.push([from, Math.min(limit, from + step)]);
  return chunks;
}

const poolMap: Workload = {
  name: "pool-map-cpu",
  title: `multiprocessing Pool(2).map counts the primes below N thousand in ${CHUNKS} chunks (CPU-bound)`,
  iterations: 300,
  ops: () => CHUNKS,
  run: async (context: RunContext) => {
    const chunks = primeChunks(context.iterations);
    await using pool = new Pool(2, null, [], { backend: context.backend });
    const fn = { module: BODIES, export: "countPrimes" };
    // Before the clock, every Worker starts, imports the module and compiles the loop (a fresh
    // Worker's JIT is cold: without this, the first chunks would be timed in the interpreter).
    await pool.map(fn, Array.from({ length: 8 }, () => [0, 20_000]), 1);
    context.startClock();
    const counts = await pool.map(fn, chunks, 1) as number[];
    context.stopClock();
    return { got: counts.reduce((a, b) => a + b, 0), iterations: context.iterations };
  },
  check: (result) => {
    const { got, iterations } = result as { got: number; iterations: number };
    let expected = expectedPrimes.get(iterations);
    if (expected === undefined) {
      expected = primeChunks(iterations).reduce((sum, chunk) => sum + countPrimes(chunk), 0);
      expectedPrimes.set(iterations, expected);
    }
    return got === expected ? undefined : `primes counted: ${got}, expected ${expected}`;
  },
};

/** Every workload, in report order. */
export const workloads: readonly Workload[] = [
  uncontended,
  contended,
  pingPong,
  semaphore,
  queue,
  barrier,
  poolMap,
  seedsWorkload,
];
