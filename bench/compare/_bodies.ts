/**
 * Thread bodies of the comparison's workloads. Threads name them by
 * module reference (`{ module, export }`), which every backend accepts: on
 * `atomics` each thread is a Worker that imports this module; elsewhere the
 * body runs in this isolate. Shared state is a `SharedArrayBuffer` or a
 * library primitive passed as an argument, so the same body runs on every
 * backend.
 *
 * @module
 */
import type { Barrier, Condition, Lock, Semaphore } from "@locksmith/threading";
import type { Queue } from "@locksmith/threading/queue";

/** Increments `counter[0]` `n` times under `lock`, awaiting between the read and the write. */
export async function lockedIncrements(ready: Barrier, lock: Lock, counter: Int32Array, n: number): Promise<void> {
  await ready.wait();
  for (let i = 0; i < n; i++) {
    await lock.acquire();
    const read = counter[0];
    await null; // another thread may run here: only the lock keeps it from the counter
    counter[0] = read + 1;
    lock.release();
  }
}

/** Increments `counter[0]` `n` times under a hand-written futex lock (the raw `Atomics` floor). */
export async function futexIncrements(
  ready: Barrier,
  futex: Int32Array,
  counter: Int32Array,
  n: number,
): Promise<void> {
  await ready.wait();
  for (let i = 0; i < n; i++) {
    futexLock(futex);
    const read = counter[0];
    await null;
    counter[0] = read + 1;
    futexUnlock(futex);
  }
}

/** Drepper's futex mutex: 0 free, 1 locked, 2 locked with sleepers. */
export function futexLock(cell: Int32Array): void {
  let c = Atomics.compareExchange(cell, 0, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(cell, 0, 2);
  while (c !== 0) {
    Atomics.wait(cell, 0, 2);
    c = Atomics.exchange(cell, 0, 2);
  }
}

/** Unlocks {@linkcode futexLock}. */
export function futexUnlock(cell: Int32Array): void {
  if (Atomics.sub(cell, 0, 1) !== 1) {
    Atomics.store(cell, 0, 0);
    Atomics.notify(cell, 0, 1);
  }
}

/** One player of the ping-pong: waits for its turn `rounds` times, passes it, counts the passes in `turn[1]`. */
export async function pingPongPlayer(
  ready: Barrier,
  cond: Condition,
  turn: Int32Array,
  me: number,
  rounds: number,
): Promise<void> {
  await ready.wait();
  for (let i = 0; i < rounds; i++) {
    await cond.acquire();
    while (Atomics.load(turn, 0) !== me) await cond.wait();
    Atomics.store(turn, 0, 1 - me);
    Atomics.add(turn, 1, 1);
    cond.notify();
    cond.release();
  }
}

/**
 * One job through a semaphore: `n` times takes a permit, counts itself
 * active (`stats[0]`, the highest count in `stats[1]`), awaits, and gives
 * the permit back; `stats[2]` counts the passes.
 */
export async function semaphoreJob(ready: Barrier, permits: Semaphore, stats: Int32Array, n: number): Promise<void> {
  await ready.wait();
  for (let i = 0; i < n; i++) {
    await permits.acquire();
    const active = Atomics.add(stats, 0, 1) + 1;
    for (let high = Atomics.load(stats, 1); active > high; high = Atomics.load(stats, 1)) {
      if (Atomics.compareExchange(stats, 1, high, active) === high) break;
    }
    await null;
    Atomics.sub(stats, 0, 1);
    Atomics.add(stats, 2, 1);
    permits.release();
  }
}

/**
 * One end of a queue: the producer puts the numbers 1..n on `queue`; the
 * consumer takes `n` numbers, and writes their count to `totals[0]` and
 * their sum (mod 2^31 - 1) to `totals[1]`.
 */
export async function queueEnd(
  ready: Barrier,
  role: "producer" | "consumer",
  queue: Queue<number>,
  n: number,
  totals: Int32Array,
): Promise<void> {
  await ready.wait();
  if (role === "producer") {
    for (let i = 1; i <= n; i++) await queue.put(i);
    return;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum = (sum + await queue.get(true, 10_000)) % 0x7fffffff; // a lost item ends in Empty, not a hang
    queue.taskDone();
  }
  Atomics.store(totals, 0, n);
  Atomics.store(totals, 1, sum);
}

/** Meets the others at `barrier` `phases` times; `passes[0]` counts every pass. */
export async function barrierPhases(
  ready: Barrier,
  barrier: Barrier,
  passes: Int32Array,
  phases: number,
): Promise<void> {
  await ready.wait();
  for (let p = 0; p < phases; p++) {
    await barrier.wait();
    Atomics.add(passes, 0, 1);
  }
}

/**
 * Counts the primes in `[from, to)` by trial division (CPU-bound on purpose).
 *
 * @param range `[from, to)`.
 * @returns How many primes it holds.
 */
export function countPrimes([from, to]: [number, number]): number {
  let count = 0;
  for (let n = Math.max(from, 2); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}
