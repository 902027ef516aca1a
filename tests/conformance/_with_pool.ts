/**
 * Runs a case's body with a pool on the backend under test, then
 * terminates and joins it (also when the body throws), so no thread is left.
 *
 * @module
 */
import { ThreadPool } from "@locksmith/threading/multiprocessing";
import type { CaseContext } from "./_suite.ts";

/** A pool class: `multiprocessing/dummy`'s (threads) or `multiprocessing`'s (Workers). */
type PoolClass<P> = new (
  processes: number,
  initializer: null,
  initargs: unknown[],
  options: CaseContext["options"],
) => P;

/**
 * Runs `body` with a pool of `processes` threads of `Kind` (default: the dummy pool).
 *
 * @param ctx The case's context (its backend options).
 * @param processes How many threads.
 * @param body What to do with the pool.
 * @param Kind The pool class.
 */
export async function withPool<P extends ThreadPool = ThreadPool>(
  ctx: CaseContext,
  processes: number,
  body: (pool: P) => Promise<void>,
  Kind: PoolClass<P> = ThreadPool as unknown as PoolClass<P>,
): Promise<void> {
  const pool = new Kind(processes, null, [], ctx.options);
  try {
    await body(pool);
  } finally {
    pool.terminate();
    await pool.join();
  }
}
