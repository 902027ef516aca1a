/**
 * Thread bodies for `tests/atomics_cross_worker_test.ts`: each runs in its
 * own Worker (a `{ module, export }` target) and reports through the shared
 * memory it receives (an `Int32Array` over a `SharedArrayBuffer`, or a
 * primitive).
 *
 * @module
 */
import {
  type Barrier,
  type BoundedSemaphore,
  type Condition,
  currentThread,
  type Event,
  getIdent,
  Local,
  type Lock,
  monotonic,
  revive,
  type RLock,
  RuntimeError,
  type Semaphore,
  sleep,
  ValueError,
} from "@locksmith/threading";

/** Slots of the report array the bodies below write to. */
export const Slot = {
  /** A step counter the main thread waits on. */
  Step: 0,
  /** A result code or a stop flag. */
  Result: 1,
  /** How many threads were woken / finished. */
  Woken: 2,
  /** How many are inside a region now. */
  Inside: 3,
  /** The most that were ever inside at once. */
  MaxInside: 4,
  /** Free for a body's own use. */
  A: 5,
  /** Free for a body's own use. */
  B: 6,
  /** Free for a body's own use. */
  C: 7,
  /** Where orders and arrival indices start. */
  Order: 8,
} as const;

/** Makes a report array. */
export function reportArray(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(64 * 4));
}

function step(report: Int32Array, value: number): void {
  Atomics.store(report, Slot.Step, value);
  Atomics.notify(report, Slot.Step);
}

/**
 * RLock owned by another thread: release is a RuntimeError, a timed acquire
 * fails; once free, this thread takes it twice and holds it until told.
 */
export async function rlockOwnership(rlock: RLock, report: Int32Array, release: Event): Promise<void> {
  let result = 0;
  try {
    rlock.release();
  } catch (error) {
    if (error instanceof RuntimeError) result |= 1;
  }
  if (await rlock.acquire(true, 20) === false) result |= 2;
  if (rlock.acquireSync(true, 20) === false) result |= 4;
  Atomics.store(report, Slot.Result, result);
  step(report, 1);
  await rlock.acquire(); // blocks until the main thread releases
  rlock.acquireSync(); // reentrant
  step(report, 2);
  await release.wait();
  rlock.release();
  step(report, 3);
  rlock.release();
  step(report, 4);
}

/** Waits on `cond` once; records its number in wake order. `sync` uses waitSync. */
export async function conditionWaiter(cond: Condition, report: Int32Array, n: number, sync: boolean): Promise<void> {
  await cond.acquire();
  // Wait in turn: waiter n queues only after waiter n - 1 is queued.
  while (Atomics.load(report, Slot.A) !== n) {
    cond.release();
    await sleep(1);
    await cond.acquire();
  }
  Atomics.add(report, Slot.A, 1);
  const notified = sync ? cond.waitSync() : await cond.wait();
  const k = Atomics.add(report, Slot.Woken, 1);
  Atomics.store(report, Slot.Order + k, notified ? n + 1 : -(n + 1));
  cond.release();
}

/** Takes a permit of `sem` `rounds` times, counting how many hold one at once. */
export async function semaphoreUser(sem: Semaphore, report: Int32Array, rounds: number, sync: boolean): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (sync) sem.acquireSync();
    else await sem.acquire();
    const inside = Atomics.add(report, Slot.Inside, 1) + 1;
    for (let max = Atomics.load(report, Slot.MaxInside); inside > max; max = Atomics.load(report, Slot.MaxInside)) {
      if (Atomics.compareExchange(report, Slot.MaxInside, max, inside) === max) break;
    }
    await sleep(2);
    Atomics.sub(report, Slot.Inside, 1);
    sem.release();
  }
  Atomics.add(report, Slot.Woken, 1);
}

/** Releases a bounded semaphore that is full: records whether it was a ValueError. */
export function overRelease(sem: BoundedSemaphore, report: Int32Array): void {
  try {
    sem.release();
  } catch (error) {
    if (error instanceof ValueError) Atomics.store(report, Slot.Result, 1);
  }
}

/** Passes `barrier` `cycles` times, recording each arrival index (slot Order + cycle * 4 + index). */
export async function barrierParty(barrier: Barrier, report: Int32Array, cycles: number, sync: boolean): Promise<void> {
  for (let c = 0; c < cycles; c++) {
    const index = sync ? barrier.waitSync() : await barrier.wait();
    Atomics.add(report, Slot.Order + c * 4 + index, 1);
  }
  Atomics.add(report, Slot.Woken, 1);
}

let actionReport: Int32Array | undefined;

/** Tells this thread's `countAction` where to count. */
export function setActionReport(report: Int32Array | undefined): void {
  actionReport = report;
}

/** A barrier action by module reference: counts its runs, and where it ran (slot B: Worker runs). */
export function countAction(): void {
  if (actionReport === undefined) throw new Error("countAction: no report set in this thread");
  Atomics.add(actionReport, Slot.A, 1);
  if (currentThread().name !== "MainThread") Atomics.add(actionReport, Slot.B, 1);
}

/** A barrier party whose thread counts the module action's runs. */
export async function barrierPartyWithAction(
  barrier: Barrier,
  report: Int32Array,
  cycles: number,
  sync: boolean,
): Promise<void> {
  setActionReport(report);
  await barrierParty(barrier, report, cycles, sync);
}

/** Waits for `event` (`sync`: with waitSync) and records that it woke with `true`. */
export async function eventWaiter(event: Event, report: Int32Array, sync: boolean): Promise<void> {
  Atomics.add(report, Slot.A, 1);
  const set = sync ? event.waitSync() : await event.wait();
  if (set) Atomics.add(report, Slot.Woken, 1);
}

/** Answers `rounds` pings: waits for `ping`, clears it, counts in slot A, sets `pong`. */
export function eventPonger(ping: Event, pong: Event, report: Int32Array, rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    ping.waitSync();
    ping.clear();
    Atomics.store(report, Slot.A, i + 1);
    pong.set();
  }
}

/** Sets `event` from this Worker. */
export function eventSetter(event: Event): void {
  event.set();
}

/** Blocks in `acquireSync` until the main thread releases; then marks slot A. */
export function blockingAcquire(lock: Lock, report: Int32Array): void {
  step(report, 1);
  lock.acquireSync();
  Atomics.store(report, Slot.A, 1);
  lock.release();
}

/** Increments `counter[0]` under `lock`, `n` times, with the blocking twins. */
export function lockedIncrements(lock: Lock, counter: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    counter[0]++;
    lock.release();
  }
}

/**
 * Mixed traffic on `lock`, `n` rounds, once all `parties` have started
 * (`counter[2]` counts them in): a blocking acquire, a timed one (0.01 ms,
 * so that waits leave by timeout while others release), and a try, in turn.
 * Each acquire that succeeds increments `counter[0]` and works a few
 * microseconds under the lock; each that does not increments `counter[1]`.
 */
export function mixedLockTraffic(lock: Lock, counter: Int32Array, n: number, parties: number): void {
  Atomics.add(counter, 2, 1);
  while (Atomics.load(counter, 2) < parties) Atomics.pause?.();
  let work = 0;
  for (let i = 0; i < n; i++) {
    const kind = i % 3;
    const taken = kind === 0 ? lock.acquireSync() : kind === 1 ? lock.acquireSync(true, 0.01) : lock.acquireSync(false);
    if (!taken) {
      Atomics.add(counter, 1, 1);
      continue;
    }
    counter[0]++;
    for (let k = 0; k < 4000; k++) work += k & 1;
    lock.release();
  }
  if (work < 0) throw new Error("unreachable");
}

/**
 * One side of a bounded buffer of 2 slots kept in `state[0]` under `cond`:
 * the producer puts `n` items, waiting while the buffer is full; the
 * consumer takes `n`, waiting while it is empty; each notifies after its
 * change. `state[1]` and `state[2]` count the items put and taken.
 */
export function boundedBufferParty(cond: Condition, state: Int32Array, n: number, producer: boolean): void {
  for (let i = 0; i < n; i++) {
    cond.acquireSync();
    if (producer) {
      while (state[0] >= 2) cond.waitSync();
      state[0]++;
      state[1]++;
    } else {
      while (state[0] === 0) cond.waitSync();
      state[0]--;
      state[2]++;
    }
    cond.notify();
    cond.release();
  }
}

/**
 * Holds `lock` nearly all the time: works a few microseconds under it,
 * releases and re-acquires at once, until `report[Slot.Result]` says stop
 * (or `cap` rounds), counting its acquisitions in slot B.
 */
export function spinner(lock: Lock, report: Int32Array, cap: number): void {
  step(report, 1);
  let n = 0;
  let sink = 0;
  while (Atomics.load(report, Slot.Result) === 0 && n < cap) {
    lock.acquireSync();
    for (let i = 0; i < 20_000; i++) sink = (sink * 31 + i) | 0;
    Atomics.store(report, Slot.B, ++n);
    lock.release();
  }
  Atomics.store(report, Slot.Inside, sink & 1);
}

/**
 * Acquires `lock` `turns` times while a spinner loops, counting in slot A;
 * slot C gets the most times the spinner took the lock while this thread
 * waited for it once. Then tells the spinner to stop.
 */
export function patientAcquirer(lock: Lock, report: Int32Array, turns: number): void {
  while (Atomics.load(report, Slot.Step) === 0) Atomics.wait(report, Slot.Step, 0, 100);
  for (let i = 0; i < turns; i++) {
    const before = Atomics.load(report, Slot.B);
    lock.acquireSync();
    const overtaken = Atomics.load(report, Slot.B) - before;
    if (overtaken > Atomics.load(report, Slot.C)) Atomics.store(report, Slot.C, overtaken);
    Atomics.add(report, Slot.A, 1);
    lock.release();
    // Let the spinner have the lock for a while before the next try.
    Atomics.wait(report, Slot.Order, 0, 0.2);
  }
  Atomics.store(report, Slot.Result, 1);
}

/** Records what this Worker thread knows of itself. */
export function identity(report: Int32Array, clock: Float64Array): void {
  const me = currentThread();
  Atomics.store(report, Slot.A, me.ident ?? -1);
  Atomics.store(report, Slot.B, getIdent());
  Atomics.store(report, Slot.C, me.name === "worker-identity" && me.isAlive() ? 1 : 0);
  clock[0] = monotonic();
}

const local = new Local() as Local & { value?: number };

/** Sets a Local attribute in this thread; records whether it was unset before. */
export function localValue(report: Int32Array, value: number): void {
  if (local.value === undefined) Atomics.add(report, Slot.A, 1);
  local.value = value;
  if (local.value === value) Atomics.add(report, Slot.B, 1);
}

/** Revives a lock that arrived by `postMessage` inside a plain Web Worker (see `postmessage_worker.ts`). */
export function reviveAndHold(message: unknown): Lock {
  return revive<Lock>(message);
}
