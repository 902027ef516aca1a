/**
 * Thread bodies for the fault tests (`tests/atomics_faults_test.ts`,
 * `tests/atomics_abandoned_test.ts`, `tests/atomics_terminate_test.ts`):
 * each runs in its own Worker and ends in one of the ways a Worker can die.
 * They report through an `Int32Array` over a `SharedArrayBuffer`.
 *
 * @module
 */
import {
  type Barrier,
  type Condition,
  type Event,
  type Lock,
  type RLock,
  type Semaphore,
  sleep,
  TIMEOUT_MAX,
} from "@locksmith/threading";
import type { Queue } from "@locksmith/threading/queue";

/** This module, for `{ module: FAULT_TARGETS, export }`. */
export const FAULT_TARGETS: string = import.meta.url;

/** Slots of the report array. */
export const Slot = {
  /** Set to 1 once the body is where the test wants it (parked, holding, looping). */
  Ready: 0,
  /** Set to 1 if the body ran past the point where it should have stopped. */
  After: 1,
  /** A stop flag a looping body reads. */
  Stop: 2,
  /** How many loop rounds a looping body ran. */
  Rounds: 3,
  /** Set to 1 if a `finally` block of the body ran. */
  Finally: 4,
  /** Set to 1 by the test's own Barrier action once it runs. */
  ActionStarted: 5,
} as const;

/** Makes a report array. */
export function reportArray(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(16 * 4));
}

/** How a body's Worker dies. */
export type Death =
  | "timer-error" // an uncaught error in a timer while the body awaits
  | "deno-exit" // `Deno.exit(7)` from a timer while the body awaits
  | "process-exit" // `process.exit(7)` from a timer while the body awaits
  | "raise" // the body throws (for a body holding a lock: an error in the critical section)
  | "terminate"; // the test terminates the body's Process (the body waits to be stopped)

function ready(report: Int32Array): void {
  Atomics.store(report, Slot.Ready, 1);
  Atomics.notify(report, Slot.Ready);
}

/** Makes this Worker die as `death` says, a moment from now (a timer); `terminate`: nothing, the test does it. */
function dieSoon(death: Death): void {
  if (death === "timer-error") {
    setTimeout(() => {
      throw new Error("a timer of this Worker failed");
    }, 0);
  }
  if (death === "deno-exit") setTimeout(() => Deno.exit(7), 0);
  if (death === "process-exit") {
    setTimeout(() => (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(7), 0);
  }
}

/** What a parked body waits for: a promise that never settles unless the test wakes it. */
async function parkedThen(report: Int32Array, death: Death, parked: Promise<unknown>): Promise<void> {
  ready(report);
  dieSoon(death);
  if (death === "raise") throw new Error("the body failed while another of its tasks waited");
  await parked;
  Atomics.store(report, Slot.After, 1);
}

/** Waits for `lock` (held by the test), and dies as `death` says while it waits. */
export function parkOnLock(lock: Lock, report: Int32Array, death: Death): Promise<void> {
  const parked = lock.acquire();
  parked.catch(() => {});
  return parkedThen(report, death, parked);
}

/** Waits for a permit of `sem` (it has none), and dies while it waits. */
export function parkOnSemaphore(sem: Semaphore, report: Int32Array, death: Death): Promise<void> {
  const parked = sem.acquire();
  parked.catch(() => {});
  return parkedThen(report, death, parked);
}

/** Waits on `cond` to be notified, and dies while it waits. */
export async function parkOnCondition(cond: Condition, report: Int32Array, death: Death): Promise<void> {
  await cond.acquire();
  const parked = cond.wait(); // parked, and the lock released, when it returns
  parked.catch(() => {});
  return parkedThen(report, death, parked);
}

/** Waits for an item of `queue` (it is empty), and dies while it waits. */
export function parkOnQueue(queue: Queue<number>, report: Int32Array, death: Death): Promise<void> {
  const parked = queue.get();
  parked.catch(() => {});
  return parkedThen(report, death, parked);
}

/** Waits in `barrier` (the other parties have not come), and once it has arrived, dies while it waits. */
export async function parkOnBarrier(barrier: Barrier, report: Int32Array, death: Death): Promise<void> {
  const parked = barrier.wait();
  parked.catch(() => {});
  // It arrives (and parks, in the same step) a few microtasks later.
  while (barrier.nWaiting === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  return parkedThen(report, death, parked);
}

/**
 * Arrives last at `barrier`, whose action is a function of the test's isolate: it asks that isolate to
 * run it, and once the action has started (it sets `Slot.ActionStarted`) dies while it waits for its end.
 */
export async function askBarrierAction(barrier: Barrier, report: Int32Array, death: Death): Promise<void> {
  const parked = barrier.wait();
  parked.catch(() => {});
  while (Atomics.load(report, Slot.ActionStarted) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  return parkedThen(report, death, parked);
}

/**
 * Adds an `error` listener of its own that would keep the Worker alive
 * (`preventDefault()`), notes in the report if it ever runs, then fails in
 * a timer while it sleeps; reports if it gets past the sleep.
 */
export async function failWithOwnErrorListener(report: Int32Array): Promise<void> {
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    Atomics.store(report, Slot.After, 2);
  });
  ready(report);
  setTimeout(() => {
    throw new Error("a timer of this Worker failed, and its own listener would swallow it");
  }, 0);
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  Atomics.store(report, Slot.After, 1);
}

/** Puts `item` into `queue` (a plain end: another thread's put, for the test that reads it). */
export function putInto(queue: Queue<unknown>, item: unknown): void {
  queue.putNowait(item);
}

/** Dies as `death` says, without finishing, while it sleeps (not in a wait of the library). */
export async function dieWithoutFinishing(death: Death): Promise<void> {
  dieSoon(death);
  if (death === "raise") throw new Error("the body failed");
  await new Promise((resolve) => setTimeout(resolve, 60_000));
}

/** Exits its Worker with `Deno.exit(code)` or `process.exit(code)`. */
export function exitWith(code: number, how: "deno" | "process"): void {
  if (how === "deno") Deno.exit(code);
  (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(code);
}

/**
 * Takes `lock` `times` times (more than once: an RLock), says so, waits for
 * `go`, then dies as `death` says while holding it.
 */
export async function holdLockAndDie(
  lock: Lock | RLock,
  times: number,
  report: Int32Array,
  go: Event,
  death: Death,
): Promise<void> {
  for (let i = 0; i < times; i++) await lock.acquire();
  ready(report);
  await go.wait();
  dieSoon(death);
  if (death === "raise") throw new Error("the critical section failed");
  await sleep(TIMEOUT_MAX);
  Atomics.store(report, Slot.After, 1);
}

/** Takes `count` permits of `sem`, says so, waits for `go`, then dies as `death` says while holding them. */
export async function holdPermitsAndDie(
  sem: Semaphore,
  count: number,
  report: Int32Array,
  go: Event,
  death: Death,
): Promise<void> {
  for (let i = 0; i < count; i++) await sem.acquire();
  ready(report);
  await go.wait();
  dieSoon(death);
  if (death === "raise") throw new Error("the work under the permits failed");
  await sleep(TIMEOUT_MAX);
  Atomics.store(report, Slot.After, 1);
}

/** Takes `lock` and returns while holding it (a plain end, not a death). */
export async function takeLockAndReturn(lock: Lock | RLock, report: Int32Array): Promise<void> {
  await lock.acquire();
  ready(report);
}

/** Blocks in `sem.acquireSync()` (a wait of the library that blocks the Worker); then reports. */
export function blockOnSemaphore(sem: Semaphore, report: Int32Array): void {
  ready(report);
  sem.acquireSync();
  Atomics.store(report, Slot.After, 1);
}

/** Waits in one of the library's waits until the test stops it; reports if it ever gets past. */
export async function waitInLibrary(kind: string, report: Int32Array, primitive: unknown): Promise<void> {
  ready(report);
  try {
    if (kind === "sleep") await sleep(TIMEOUT_MAX);
    if (kind === "event") await (primitive as Event).wait();
    if (kind === "eventSync") (primitive as Event).waitSync();
    if (kind === "queueSync") (primitive as Queue<number>).getSync();
    if (kind === "queue") await (primitive as Queue<number>).get();
    if (kind === "barrier") await (primitive as Barrier).wait();
    if (kind === "barrierSync") (primitive as Barrier).waitSync();
    if (kind === "timer") await new Promise((resolve) => setTimeout(resolve, 600_000));
    Atomics.store(report, Slot.After, 1);
  } finally {
    Atomics.store(report, Slot.Finally, 1);
  }
}

/** Spins (never yielding) until the report's Stop flag is set, then awaits a long timer. */
export async function spinUntilStopped(report: Int32Array): Promise<void> {
  ready(report);
  while (Atomics.load(report, Slot.Stop) === 0) Atomics.add(report, Slot.Rounds, 1);
  await new Promise((resolve) => setTimeout(resolve, 600_000));
  Atomics.store(report, Slot.After, 1);
}

// A pool Worker's report array, given by its initializer (a task's arguments are copied, not shared).
let poolReport: Int32Array | undefined;

/** A pool's initializer: keeps the report array for the calls of this Worker. */
export function rememberReport(report: Int32Array): void {
  poolReport = report;
}

/** A pool call that waits until it is stopped: in a wait of the library, or on a timer. */
export async function waitUntilStopped(kind: "sleep" | "timer"): Promise<void> {
  const report = poolReport!;
  ready(report);
  if (kind === "sleep") await sleep(TIMEOUT_MAX);
  else await new Promise((resolve) => setTimeout(resolve, 600_000));
  Atomics.store(report, Slot.After, 1);
}

/**
 * Takes `lock`, parks on `sem` (it has no permit), says so, waits for `go`,
 * then ends its Worker with the global scope's `close()`: an end that runs
 * none of the library's code (as a crash of the runtime would).
 */
export async function holdParkAndCrash(lock: Lock, sem: Semaphore, report: Int32Array, go: Event): Promise<void> {
  await lock.acquire();
  sem.acquire().catch(() => {});
  ready(report);
  await go.wait();
  (globalThis as unknown as { close(): void }).close();
  await sleep(TIMEOUT_MAX);
  Atomics.store(report, Slot.After, 1);
}

/**
 * Parks on `primitive` (a `kind` wait), then, in a timer, says so and spins
 * (never yielding) until the test sets Stop: meanwhile the test wakes the
 * wait, which cannot take its wake-up before the timer returns; then the
 * timer throws, and the Worker dies with that wake-up on its way to it.
 */
export async function dieWithWakeUpOnItsWay(
  kind: "lock" | "semaphore" | "condition" | "queue",
  primitive: unknown,
  report: Int32Array,
): Promise<void> {
  let parked: Promise<unknown>;
  if (kind === "lock") parked = (primitive as Lock).acquire();
  else if (kind === "semaphore") parked = (primitive as Semaphore).acquire();
  else if (kind === "queue") parked = (primitive as Queue<number>).get();
  else {
    await (primitive as Condition).acquire();
    parked = (primitive as Condition).wait();
  }
  parked.catch(() => {});
  setTimeout(() => {
    ready(report);
    while (Atomics.load(report, Slot.Stop) === 0) Atomics.add(report, Slot.Rounds, 1);
    throw new Error("died with a wake-up on its way");
  }, 0);
  await parked;
  Atomics.store(report, Slot.After, 1);
}
