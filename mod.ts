/**
 * Python's `threading` for Deno and TypeScript: `Thread`, `Lock`, `RLock`,
 * `Condition`, `Semaphore`, `BoundedSemaphore`, `Event`, `Timer`,
 * `Barrier` and `Local`, with Python's semantics, on pluggable backends.
 *
 * Durations are milliseconds. Every waiting call returns a Promise, takes
 * Python's positional arguments or `{ blocking, timeout, signal }`, and has
 * a `...Sync` twin. Python's `with lock:` is `using _ = await lock.guard()`.
 *
 * Backends, chosen per object with `{ backend }` or globally with
 * `setDefaultBackend()`:
 * - `async` (default): threads are async tasks of one isolate; runs
 *   everywhere, edge runtimes included.
 * - `cooperative`: a deterministic scheduler for tests: one thread at a
 *   time, switching only at the library's scheduling points by a seeded
 *   choice, virtual time, and `DeadlockError` instead of a hang;
 *   `explore(scenario)` runs a test under many interleavings and reports the
 *   first failing one with a seed that `replay` reproduces.
 *
 * @example Two threads, one lock
 * ```ts
 * import { Lock, Thread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const lock = new Lock();
 * let balance = 0;
 * async function changeIt(n: number) {
 *   using _ = await lock.guard();
 *   balance += n;
 *   await Promise.resolve();
 *   balance -= n;
 * }
 * const threads = [5, 8].map((n) =>
 *   new Thread({ target: async () => { for (let i = 0; i < 1000; i++) await changeIt(n); } })
 * );
 * threads.forEach((t) => t.start());
 * for (const t of threads) await t.join();
 * assertEquals(balance, 0);
 * ```
 *
 * @module
 */

export * from "./runtime/errors.ts";
export { TIMEOUT_MAX, type Wait, type WaitOptions } from "./runtime/wait_options.ts";
export type { PrimitiveOptions } from "./primitives/core.ts";
export { Lock } from "./primitives/lock.ts";
export { RLock, type RLockSavedState } from "./primitives/rlock.ts";
export { Condition } from "./primitives/condition.ts";
export { BoundedSemaphore, Semaphore, SEMAPHORE_VALUE_MAX, type SemaphoreOptions } from "./primitives/semaphore.ts";
export { Event } from "./primitives/event.ts";
export { Barrier } from "./primitives/barrier.ts";
export { revive } from "./primitives/revive.ts";
export {
  activeCount,
  currentThread,
  enumerate,
  getIdent,
  getNativeId,
  mainThread,
  Thread,
  type ThreadOptions,
} from "./primitives/thread.ts";
export { Timer, type TimerOptions } from "./primitives/timer.ts";
export { Local, local } from "./primitives/local.ts";
export { monotonic, sleep } from "./primitives/time.ts";
export { type LockLike, type Synchronized, synchronized } from "./primitives/synchronized.ts";
export {
  type ExceptHook,
  excepthook,
  type ExceptHookArgs,
  getExcepthook,
  setExcepthook,
} from "./primitives/excepthook.ts";
export {
  getProfile,
  getTrace,
  setProfile,
  setTrace,
  stackSize,
  type TraceFunction,
} from "./primitives/thread_settings.ts";
export { KeyboardInterrupt, SystemExit } from "./runtime/system_exit.ts";
export {
  type Backend,
  type BackendChoice,
  type BackendName,
  type Capabilities,
  type Cells,
  getBackend,
  getDefaultBackend,
  type ModuleTarget,
  type MutexOwner,
  PARK_INVALID,
  type ParkRequest,
  type RawMutex,
  registerBackend,
  setDefaultBackend,
  type SpawnRequest,
  type Subject,
  type Target,
  type ThreadBody,
  type ThreadHandle,
  type UnparkResult,
  type WorkerThread,
  type WorkerThreadRequest,
  type WorkerThreadStart,
} from "./backends/mod.ts";
export { AsyncBackend, asyncBackend } from "./backends/async/mod.ts";
export { AtomicsBackend, type SharedLocation } from "./backends/atomics/mod.ts";
export { CooperativeBackend, type CooperativeBackendOptions } from "./backends/cooperative/mod.ts";
export { yieldNow } from "./primitives/yield_now.ts";
export {
  explore,
  type ExploreOptions,
  type ExploreResult,
  type ExploreStrategy,
  type Failure,
  replay,
  type ReplayOptions,
  type ReplayResult,
  type Scenario,
} from "./explore/explore.ts";
export { type PendingWait, pendingWaits, runningThreads } from "./runtime/pending.ts";
// Every shareable kind registers itself as its module loads: the queues too, so that `revive` knows a
// queue that arrives by `postMessage` in an isolate that imports only this entry point.
import "./queue/simple_queue.ts";
