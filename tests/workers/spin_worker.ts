/**
 * A raw `node:worker_threads` Worker for `tests/atomics_terminate_test.ts`,
 * started without the library: it spins, never yielding, adding to a
 * counter until the test sets its stop flag, then says so and sets a timer
 * (which runs only if the Worker is still alive at its event loop). Its
 * `workerData` is the `SharedArrayBuffer` of the flags ({@linkcode Spin}).
 *
 * @module
 */
import { workerData } from "node:worker_threads";

/** Slots of the flags (an `Int32Array`). */
export const Spin = {
  /** Set to 1 once the loop runs. */
  Ready: 0,
  /** Set by the test: the loop ends. */
  Stop: 1,
  /** Rounds of the loop. */
  Count: 2,
  /** Set to 1 once the loop has ended. */
  Left: 3,
  /** Set to 1 by a timer after the loop: the Worker ran on at its event loop. */
  After: 4,
} as const;

if (workerData instanceof SharedArrayBuffer) {
  const flags = new Int32Array(workerData);
  Atomics.store(flags, Spin.Ready, 1);
  while (Atomics.load(flags, Spin.Stop) === 0) Atomics.add(flags, Spin.Count, 1);
  Atomics.store(flags, Spin.Left, 1);
  setTimeout(() => Atomics.store(flags, Spin.After, 1), 0);
}
