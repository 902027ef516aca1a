/**
 * Python's `multiprocessing.dummy`: the `multiprocessing` API over threads.
 * Its {@linkcode Pool} runs calls on `Thread`s of any backend (functions,
 * sync or async, or module references), so work that waits (I/O, timers)
 * overlaps; switching to Workers is one import, `multiprocessing`'s `Pool`.
 *
 * @example The seeds' `multiprocessing.dummy` example: `Pool().map`
 * ```ts
 * import { sleep } from "@locksmith/threading";
 * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
 * import { assertEquals } from "@std/assert";
 *
 * async function fetchLength(url: string): Promise<number> {
 *   await sleep(10); // the network
 *   return url.length;
 * }
 * await using pool = new Pool(4);
 * const lengths = await pool.map(fetchLength, ["https://a.example", "https://bb.example"]);
 * assertEquals(lengths, [17, 18]);
 * ```
 *
 * @module
 */
export { Pool, type PoolFunction, type PoolOptions } from "../../pools/pool.ts";
export { AsyncResult, type Job, MapResult, type ResultCallbacks } from "../../pools/async_result.ts";
export { IMapIterator } from "../../pools/imap_iterator.ts";
export { cpuCount } from "../../runtime/cpu_count.ts";
export { BrokenExecutor, CancelledError, TimeoutError } from "../../runtime/errors.ts";
