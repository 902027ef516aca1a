/**
 * A word lock: a mutex in one int32 cell, guarding a parking-lot bucket for
 * the few operations it takes to queue or dequeue a waiter, or one end of a
 * shared queue's ring for the few copies it takes to put or take an item. It spins briefly
 * (the holder is about to let go) and then sleeps in `Atomics.wait`; where a
 * thread may not block (a browser's main thread), it only spins.
 *
 * | value | meaning                          |
 * |-------|----------------------------------|
 * | 0     | free                             |
 * | 1     | held, nobody sleeps on it        |
 * | 2     | held, threads may sleep on it    |
 *
 * @module
 */

const SPINS = 64;
let canBlock = true;

/** Takes the lock in cell `i` of `view`. */
export function lockWord(view: Int32Array, i: number): void {
  if (Atomics.compareExchange(view, i, 0, 1) === 0) return;
  lockWordSlow(view, i);
}

function lockWordSlow(view: Int32Array, i: number): void {
  for (let spin = 0; spin < SPINS; spin++) {
    if (Atomics.load(view, i) === 0 && Atomics.compareExchange(view, i, 0, 1) === 0) return;
  }
  while (Atomics.exchange(view, i, 2) !== 0) {
    if (!canBlock) continue;
    try {
      Atomics.wait(view, i, 2);
    } catch {
      canBlock = false;
    }
  }
}

/** Releases the lock in cell `i` of `view`, waking one sleeper if any. */
export function unlockWord(view: Int32Array, i: number): void {
  if (Atomics.exchange(view, i, 0) === 2) Atomics.notify(view, i, 1);
}
