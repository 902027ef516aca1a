/**
 * Module-referenced functions for `tests/atomics_pool_test.ts`: each is
 * imported and called by a Worker of a `multiprocessing` Pool.
 *
 * @module
 */
import { currentThread } from "../../mod.ts";

/** `x * x`. */
export function square(x: number): number {
  return x * x;
}

/** Spins for about `ms` milliseconds of CPU, then returns the name of the thread that ran it. */
export function burn(ms: number): string {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x >= 0 ? currentThread().name : "";
}

/** Raises a RangeError naming `x`. */
export function fail(x: number): never {
  throw new RangeError(`bad item ${x}`);
}

/** Returns a function: a result that cannot be sent back. */
export function unsendable(): () => void {
  return () => {};
}
