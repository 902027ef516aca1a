/**
 * The `atomics` backend against floors run in the same process, in
 * interleaved rounds (each round times every case once, in rotating order;
 * the table gives medians over rounds of the ratios taken within a round):
 *
 * - **uncontended**: `acquireSync()` + `release()` on the main thread x1000,
 *   against a raw `Atomics.compareExchange` + `Atomics.store` pair (CPU time);
 *   the same for an `RLock`, a `Semaphore(1)`, and a `Condition`'s
 *   `acquireSync()` + `notify()` + `release()` with nobody waiting, and a
 *   shared `Queue`'s `putSync` + `getSync` in one thread;
 * - **contended**: 2 and 4 Workers incrementing one shared counter under the
 *   `Lock` (`acquireSync`/`release`), against a hand-written futex lock (CAS,
 *   `Atomics.wait`/`notify` on a contended flag): throughput, the futex
 *   lock's wall time over the Lock's (above 1: the Lock is faster); and one
 *   Worker alone, the same loops with nobody to contend with;
 * - **memory**: process RSS growth and JS heap growth per live `Lock`, over
 *   100,000 locks (needs `--v8-flags=--expose-gc` for a steady figure);
 * - **isolated waits**: a `Lock.acquireSync(true, 0)` that times out (a
 *   park and a leave, no sleep), on a lock whose cell hashes to the same
 *   parking-lot bucket as an `Event` on which 50,000 waits of this isolate
 *   are parked, against a lock of a bucket of its own (CPU time).
 *
 *     deno run -A --v8-flags=--expose-gc bench/atomics_ratios.ts [rounds]
 *
 * The Workers are the harness of `atomics_bench.ts` (`_atomics_bench_worker.ts`).
 *
 * @module
 */
import process from "node:process";
import { Condition, Event, Lock, RLock, Semaphore } from "@locksmith/threading";
import { Queue } from "@locksmith/threading/queue";
import { getDefaultHeap } from "../backends/atomics/_heap_registry.ts";
import { bucketOf } from "../backends/atomics/_lot_records.ts";
import { HANDLE_KEY } from "../primitives/core.ts";
import { CMD, Command, COUNT, DONE, GEN, type HarnessData, PARTICIPANTS, QUIT } from "./_atomics_bench_worker.ts";

const rounds = Number(Deno.args[0] ?? 15);
const atomics = { backend: "atomics" } as const;
const UNCONTENDED_OPS = 1000;
const CONTENDED_OPS = 200_000;
const WORKERS = 4;
const LOCKS = 100_000;
const WAITERS = 50_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Runs `cases` interleaved; returns each case's samples (ms) under `clock`. */
function interleave(cases: (() => void)[], clock: () => number, repeat: number): number[][] {
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length;
      const start = clock();
      for (let j = 0; j < repeat; j++) cases[i]();
      samples[i].push(clock() - start);
    }
  }
  return samples;
}
const ratio = (samples: number[], floor: number[]) => median(samples.map((v, r) => v / floor[r]));
/** The heap index of a shared primitive's first cell (read from its handle). */
const cellOf = (primitive: object) =>
  (primitive as unknown as Record<string, { location: { index: number } }>)[HANDLE_KEY].location.index;

const rows: string[] = [];
const row = (workload: string, what: string, value: string, floorValue: string, result: string) =>
  rows.push(`| ${workload} | ${what} | ${value} | ${floorValue} | ${result} |`);

// ---- uncontended: the Lock, and beside it (no rows of issue 13's) the RLock, a Semaphore(1), a Condition
// notified with nobody waiting and a shared Queue: how far each is from the plain lock ----
{
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const lock = new Lock(atomics);
  const rlock = new RLock(atomics);
  const semaphore = new Semaphore(1, atomics);
  const condition = new Condition(new Lock(atomics));
  const raw = () => {
    for (let i = 0; i < UNCONTENDED_OPS; i++) {
      Atomics.compareExchange(cell, 0, 0, 1);
      Atomics.store(cell, 0, 0);
    }
  };
  const library = () => {
    for (let i = 0; i < UNCONTENDED_OPS; i++) {
      lock.acquireSync();
      lock.release();
    }
  };
  const reentrant = () => {
    for (let i = 0; i < UNCONTENDED_OPS; i++) {
      rlock.acquireSync();
      rlock.release();
    }
  };
  const permits = () => {
    for (let i = 0; i < UNCONTENDED_OPS; i++) {
      semaphore.acquireSync();
      semaphore.release();
    }
  };
  const notified = () => {
    for (let i = 0; i < UNCONTENDED_OPS; i++) {
      condition.acquireSync();
      condition.notify();
      condition.release();
    }
  };
  // A shared Queue: its handle, taken as a post to a Worker takes it, moves its items into shared memory.
  const queue = new Queue<number>(0, atomics);
  structuredClone(queue);
  const queued = () => {
    for (let i = 0; i < UNCONTENDED_OPS; i++) {
      queue.putSync(i);
      queue.getSync();
    }
  };
  const cases = [raw, library, reentrant, permits, notified, queued];
  interleave(cases, cpuMs, 200);
  const [floor, ...mine] = interleave(cases, cpuMs, 200);
  const ns = (samples: number[]) => `${(median(samples) * 1e6 / (200 * UNCONTENDED_OPS)).toFixed(1)} ns`;
  const rowsOf = [
    ["uncontended acquireSync + release", "Lock"],
    ["uncontended RLock acquireSync + release", "RLock"],
    ["uncontended Semaphore(1) acquireSync + release", "Semaphore"],
    ["Condition acquireSync + notify() + release, nobody waiting", "Condition"],
    ["shared Queue putSync + getSync, one thread", "Queue"],
  ] as const;
  rowsOf.forEach(([workload, kind], k) =>
    row(
      workload,
      `${kind} vs raw compareExchange + store`,
      ns(mine[k]),
      ns(floor),
      `${ratio(mine[k], floor).toFixed(2)}x the time`,
    )
  );
}

// ---- contended ----
{
  const ctrl = new Int32Array(new SharedArrayBuffer(64));
  const shared = {
    counter: new Int32Array(new SharedArrayBuffer(8)),
    futex: new Int32Array(new SharedArrayBuffer(4)),
    raw: new Int32Array(new SharedArrayBuffer(8)),
    turn: new Int32Array(new SharedArrayBuffer(4)),
    lock: new Lock(atomics),
    ping: null,
    pong: null,
    cond: null,
  };
  const wt = process.getBuiltinModule("node:worker_threads") as typeof import("node:worker_threads");
  const workers = Array.from({ length: WORKERS }, (_, id) => {
    const workerData: HarnessData = { id, ctrl, ...shared };
    return new wt.Worker(new URL("./_atomics_bench_worker.ts", import.meta.url), { workerData });
  });
  const run = (cmd: number, participants: number) => () => {
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, CMD, cmd);
    Atomics.store(ctrl, COUNT, CONTENDED_OPS);
    Atomics.store(ctrl, PARTICIPANTS, participants);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    for (let done = Atomics.load(ctrl, DONE); done < WORKERS; done = Atomics.load(ctrl, DONE)) {
      Atomics.wait(ctrl, DONE, done);
    }
  };
  // One Worker alone: the same loops with no contention, the fast paths' share of the contended rows.
  for (const participants of [1, 2, 4]) {
    const cases = [run(Command.Futex, participants), run(Command.Lock, participants)];
    interleave(cases, () => performance.now(), 1);
    const [futex, mine] = interleave(cases, () => performance.now(), 1);
    const rate = (samples: number[]) => `${(participants * CONTENDED_OPS / median(samples) / 1000).toFixed(1)} M/s`;
    row(
      participants === 1 ? "1 Worker alone (no contention)" : `contended, ${participants} Workers`,
      "Lock vs hand-written futex lock",
      rate(mine),
      rate(futex),
      `${ratio(futex, mine).toFixed(2)}x the throughput`,
    );
  }
  Atomics.store(ctrl, QUIT, 1);
  Atomics.add(ctrl, GEN, 1);
  Atomics.notify(ctrl, GEN);
  await Promise.all(workers.map((worker) => worker.terminate()));
}

// ---- memory ----
{
  const gc = (globalThis as { gc?: () => void }).gc;
  new Lock(atomics);
  gc?.();
  const before = Deno.memoryUsage();
  const sharedBefore = Atomics.load(getDefaultHeap().view, 2) * 4;
  const keep: Lock[] = new Array(LOCKS);
  for (let i = 0; i < LOCKS; i++) keep[i] = new Lock(atomics);
  gc?.();
  const after = Deno.memoryUsage();
  const shared = (Atomics.load(getDefaultHeap().view, 2) * 4 - sharedBefore) / LOCKS;
  if (keep.some((lock) => lock.locked())) throw new Error("a new lock is locked");
  const rss = (after.rss - before.rss) / LOCKS;
  const heap = (after.heapUsed - before.heapUsed) / LOCKS;
  row(
    `memory per Lock, ${LOCKS.toLocaleString("en-US")} live`,
    "JS heap + shared cells per Lock (process RSS growth / count)",
    `${(heap + shared).toFixed(0)} B (RSS ${rss.toFixed(0)} B)`,
    "",
    `JS heap ${heap.toFixed(0)} B + shared ${shared.toFixed(0)} B${gc ? "" : " (run with --expose-gc)"}`,
  );
}

// ---- isolated waits ----
{
  // Two locks, each held: one whose cell hashes to the bucket of the Event's cell, one to a bucket of its own.
  const event = new Event(atomics);
  const eventBucket = bucketOf(cellOf(event));
  const keep: Lock[] = [];
  let sharing: Lock | undefined;
  let alone: Lock | undefined;
  while (sharing === undefined || alone === undefined) {
    const lock = new Lock(atomics);
    keep.push(lock);
    if (bucketOf(cellOf(lock)) === eventBucket) sharing ??= lock;
    else alone ??= lock;
  }
  sharing.acquireSync();
  alone.acquireSync();
  // A wait of no time: all of a park's and a leave's bookkeeping, no sleep.
  const timedOut = (lock: Lock) => () => {
    for (let i = 0; i < 100; i++) if (lock.acquireSync(true, 0)) throw new Error("acquired a held lock");
  };
  const waits: Promise<boolean>[] = [];
  for (let i = 0; i < WAITERS; i++) waits.push(event.wait());
  await new Promise((resolve) => setTimeout(resolve, 10));
  (globalThis as { gc?: () => void }).gc?.();
  const cases = [timedOut(alone), timedOut(sharing)];
  interleave(cases, cpuMs, 20);
  const [own, crowded] = interleave(cases, cpuMs, 20);
  event.set();
  await Promise.all(waits);
  const us = (samples: number[]) => `${(median(samples) * 1000 / 2000).toFixed(2)} us`;
  row(
    "a timed-out Lock wait (timeout 0)",
    `its cell in the bucket of ${WAITERS.toLocaleString("en-US")} waits on an Event vs in a bucket of its own`,
    us(crowded),
    us(own),
    `${ratio(crowded, own).toFixed(2)}x the time`,
  );
}

console.log(`| workload | what | library | floor | result (medians of ${rounds} interleaved rounds) |`);
console.log("| --- | --- | ---: | ---: | --- |");
for (const line of rows) console.log(line);
