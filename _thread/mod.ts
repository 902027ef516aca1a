/**
 * Python's `_thread`: the low-level thread API under `threading`.
 *
 * - {@linkcode startNewThread}: start a thread, get its ident.
 * - {@linkcode allocateLock} and {@linkcode LockType}: a plain lock.
 * - {@linkcode exitThread}: end the calling thread quietly.
 * - {@linkcode getIdent}: the calling thread's ident.
 * - {@linkcode interruptMain}: raise {@linkcode KeyboardInterrupt} in the
 *   main thread at its next wait.
 * - {@linkcode SystemExit}, {@linkcode KeyboardInterrupt}.
 *
 * @example Two threads and a lock, the `_thread` way
 * ```ts
 * import { allocateLock, startNewThread } from "@locksmith/threading/_thread";
 * import { sleep } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const lock = allocateLock();
 * let finished = 0;
 * for (const name of ["a", "b"]) {
 *   startNewThread(async (n: string) => {
 *     await sleep(5);
 *     await lock.acquire();
 *     finished++;
 *     lock.release();
 *   }, [name]);
 * }
 * while (finished < 2) await sleep(5);
 * assertEquals(finished, 2);
 * ```
 *
 * @module
 */
export { startNewThread } from "./start_new_thread.ts";
export { allocateLock, LockType } from "./allocate_lock.ts";
export { exitThread } from "./exit_thread.ts";
export { interruptMain } from "./interrupt_main.ts";
export { getIdent } from "../primitives/thread.ts";
export { KeyboardInterrupt, SystemExit } from "../runtime/system_exit.ts";
