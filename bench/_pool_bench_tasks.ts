/**
 * The tasks of `pool_bench.ts`, by module reference (Workers import them).
 *
 * @module
 */

/** Does nothing: the cost of a task is all overhead. */
export function noop(x: number): number {
  return x;
}

/** Spins for `ms` milliseconds of CPU (a CPU-bound task). */
export function burn(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i + x);
  return x > 0 ? 1 : 0;
}
