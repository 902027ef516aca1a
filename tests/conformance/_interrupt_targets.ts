/**
 * Thread bodies that call `interruptMain()`, for the `_thread` conformance
 * cases and `tests/atomics_interrupt_test.ts`. They are module references,
 * so every backend runs them: on `atomics` each runs in its own Worker and
 * reaches the main thread through the shared heap.
 *
 * @module
 */
import { type Event, type Lock, sleep } from "@locksmith/threading";
import { interruptMain } from "@locksmith/threading/_thread";

/** Sets `ready`, sleeps `ms` (the main thread reaches its wait meanwhile), then interrupts the main thread. */
export async function interruptAfter(ready: Event, ms: number): Promise<void> {
  ready.set();
  await sleep(ms, { backend: ready.backend });
  interruptMain();
}

/**
 * Holds `lock` and sets `held`; once `go` is set, sleeps `ms` (the main
 * thread queues on the lock meanwhile), interrupts the main thread, and
 * releases `lock` once `release` is set.
 */
export async function interruptWhileHolding(
  lock: Lock,
  held: Event,
  go: Event,
  release: Event,
  ms: number,
): Promise<void> {
  await lock.acquire();
  try {
    held.set();
    await go.wait();
    await sleep(ms, { backend: lock.backend });
    interruptMain();
    await release.wait();
  } finally {
    lock.release();
  }
}

/**
 * Takes `lock`, which is free only once the main thread waits on the
 * condition that owns it, interrupts the main thread while holding it, and
 * releases it.
 */
export async function interruptWhenReleased(lock: Lock): Promise<void> {
  await lock.acquire();
  try {
    interruptMain();
  } finally {
    lock.release();
  }
}

/** Interrupts the main thread, then counts the call in `report[0]` (the main thread may be busy meanwhile). */
export function interruptAndCount(report: Int32Array): void {
  interruptMain();
  Atomics.add(report, 0, 1);
  Atomics.notify(report, 0);
}

/** Sets `report[1]`, takes `lock`, counts that in `report[0]`, and releases it (another waiter than the main thread). */
export async function takeLockAndCount(lock: Lock, report: Int32Array): Promise<void> {
  Atomics.store(report, 1, 1);
  await lock.acquire();
  Atomics.add(report, 0, 1);
  lock.release();
}
