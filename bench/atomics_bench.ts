/**
 * The `atomics` backend against its floors, each group's baseline first, so
 * the ratios come out of one run:
 *
 *     deno task bench:atomics            (deno bench -A --v8-flags=--expose-gc ...)
 *     deno task bench:atomics:v8-mutex   (also --harmony-struct)
 *
 * (`--harmony-struct` adds V8's native `Atomics.Mutex` to the first group;
 * without it that case is left out. With that experimental flag Deno 2.9.6
 * crashes with a segmentation fault on exit, after the results.)
 *
 * - uncontended `acquireSync()` + `release()` on the main thread, against a
 *   raw `Atomics.compareExchange` + `Atomics.store` pair (the floor);
 * - 2 and 4 Workers incrementing a shared counter under the Lock, against a
 *   hand-written futex lock (CAS + `Atomics.wait`/`notify`; the baseline)
 *   and unlocked `Atomics.add` (the floor of any lock);
 * - a hand-off main<->Worker and Worker<->Worker with `Event` and
 *   `Condition`, against a raw `Atomics.wait`/`notify` ping-pong (the
 *   baseline); one round trip is two hand-offs.
 *
 * Memory per Lock (100k locks) is printed before the benchmarks. The
 * Workers are a harness (`_atomics_bench_worker.ts`): plain
 * `node:worker_threads` Workers, unref'd, driven through shared memory.
 *
 * @module
 */
import process from "node:process";
import { Condition, Event, Lock } from "@locksmith/threading";
import { getDefaultHeap } from "../backends/atomics/_heap_registry.ts";
import {
  CMD,
  Command,
  conditionPing,
  COUNT,
  DONE,
  eventPing,
  GEN,
  type HarnessData,
  PARTICIPANTS,
  QUIT,
  rawPing,
} from "./_atomics_bench_worker.ts";

const atomics = { backend: "atomics" } as const;
const UNCONTENDED_OPS = 1000;
const CONTENDED_OPS = 20_000;
const ROUND_TRIPS = 200;
const WORKERS = 4;

function memoryPerLock(): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  const n = 100_000;
  const keep: Lock[] = new Array(n);
  new Lock(atomics);
  gc?.();
  const heap = getDefaultHeap();
  const sharedBefore = Atomics.load(heap.view, 2) * 4;
  const before = Deno.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) keep[i] = new Lock(atomics);
  gc?.();
  const js = (Deno.memoryUsage().heapUsed - before) / n;
  const shared = (Atomics.load(heap.view, 2) * 4 - sharedBefore) / n;
  // Keep the locks alive until measured.
  if (keep.some((lock) => lock.locked())) throw new Error("a new lock is locked");
  return `memory per Lock (${n} locks): ${(js + shared).toFixed(0)} B = ${js.toFixed(0)} B of JS heap + ${
    shared.toFixed(0)
  } B of shared memory${gc ? "" : " (run with --v8-flags=--expose-gc for a steadier figure)"}`;
}
console.log(memoryPerLock());

// --- The harness.
const ctrl = new Int32Array(new SharedArrayBuffer(64));
const shared = {
  counter: new Int32Array(new SharedArrayBuffer(8)),
  futex: new Int32Array(new SharedArrayBuffer(4)),
  raw: new Int32Array(new SharedArrayBuffer(8)),
  turn: new Int32Array(new SharedArrayBuffer(4)),
  lock: new Lock(atomics),
  ping: new Event(atomics),
  pong: new Event(atomics),
  cond: new Condition(null, atomics),
};
const wt = process.getBuiltinModule("node:worker_threads") as typeof import("node:worker_threads");
const workers = Array.from({ length: WORKERS }, (_, id) => {
  const workerData: HarnessData = { id, ctrl, ...shared };
  const worker = new wt.Worker(new URL("./_atomics_bench_worker.ts", import.meta.url), { workerData });
  worker.unref();
  return worker;
});
globalThis.addEventListener("unload", () => {
  Atomics.store(ctrl, QUIT, 1);
  Atomics.add(ctrl, GEN, 1);
  Atomics.notify(ctrl, GEN);
  for (const worker of workers) worker.terminate();
});

/** Starts a command on the first `participants` Workers. */
function command(cmd: number, count: number, participants: number): void {
  Atomics.store(ctrl, DONE, 0);
  Atomics.store(ctrl, CMD, cmd);
  Atomics.store(ctrl, COUNT, count);
  Atomics.store(ctrl, PARTICIPANTS, participants);
  Atomics.add(ctrl, GEN, 1);
  Atomics.notify(ctrl, GEN);
}

/** Waits (blocking the main thread) until every Worker has finished the command. */
function finished(): void {
  for (let done = Atomics.load(ctrl, DONE); done < WORKERS; done = Atomics.load(ctrl, DONE)) {
    Atomics.wait(ctrl, DONE, done);
  }
}

function contended(cmd: number, participants: number): void {
  command(cmd, CONTENDED_OPS, participants);
  finished();
}

// --- Uncontended, on the main thread.
const group1 = `uncontended acquire + release (x${UNCONTENDED_OPS})`;
const cell = new Int32Array(new SharedArrayBuffer(4));
Deno.bench("raw compareExchange + store (floor)", { group: group1, baseline: true }, () => {
  for (let i = 0; i < UNCONTENDED_OPS; i++) {
    Atomics.compareExchange(cell, 0, 0, 1);
    Atomics.store(cell, 0, 0);
  }
});
const lock = new Lock(atomics);
Deno.bench("atomics Lock acquireSync + release", { group: group1 }, () => {
  for (let i = 0; i < UNCONTENDED_OPS; i++) {
    lock.acquireSync();
    lock.release();
  }
});
const NativeMutex = (Atomics as unknown as {
  Mutex?: { new (): object; lock(mutex: object, fn: () => void): void };
}).Mutex;
if (NativeMutex !== undefined) {
  const mutex = new NativeMutex();
  const noop = () => {};
  Deno.bench("V8 Atomics.Mutex.lock (--harmony-struct)", { group: group1 }, () => {
    for (let i = 0; i < UNCONTENDED_OPS; i++) NativeMutex.lock(mutex, noop);
  });
}
let flag = false;
Deno.bench("plain JS flag (no Atomics)", { group: group1 }, () => {
  for (let i = 0; i < UNCONTENDED_OPS; i++) {
    if (!flag) flag = true;
    flag = false;
  }
});

// --- Contended: Workers incrementing one counter.
for (const participants of [2, 4]) {
  const group = `contended, ${participants} Workers (x${CONTENDED_OPS} each)`;
  Deno.bench("hand-written futex lock", { group, baseline: true }, () => contended(Command.Futex, participants));
  Deno.bench("atomics Lock (acquireSync)", { group }, () => contended(Command.Lock, participants));
  Deno.bench("unlocked Atomics.add (floor)", { group }, () => contended(Command.Add, participants));
}

// --- Hand-off latency.
const group3 = `hand-off main<->Worker (x${ROUND_TRIPS} round trips)`;
Deno.bench("raw Atomics.wait/notify", { group: group3, baseline: true }, () => {
  command(Command.RawPong, ROUND_TRIPS, 1);
  for (let i = 0; i < ROUND_TRIPS; i++) rawPing(shared.raw);
  finished();
});
Deno.bench("atomics Event", { group: group3 }, () => {
  command(Command.EventPong, ROUND_TRIPS, 1);
  for (let i = 0; i < ROUND_TRIPS; i++) eventPing(shared.ping, shared.pong);
  finished();
});
Deno.bench("atomics Condition", { group: group3 }, () => {
  command(Command.ConditionPong, ROUND_TRIPS, 1);
  for (let i = 0; i < ROUND_TRIPS; i++) conditionPing(shared.cond, shared.turn);
  finished();
});

const group4 = `hand-off Worker<->Worker (x${ROUND_TRIPS} round trips)`;
Deno.bench("raw Atomics.wait/notify", { group: group4, baseline: true }, () => {
  command(Command.RawPingPong, ROUND_TRIPS, 2);
  finished();
});
Deno.bench("atomics Event", { group: group4 }, () => {
  command(Command.EventPingPong, ROUND_TRIPS, 2);
  finished();
});
