/**
 * Primitives across processes and machines: Python's `SyncManager` on a
 * server. `connect(url)` returns a manager whose `Lock`, `RLock`,
 * `Semaphore`, `BoundedSemaphore`, `Condition`, `Event`, `Barrier`,
 * `Queue` and `LifoQueue` are the same primitive, by name, in every
 * process connected to the same server.
 *
 * - `redis://host:port/db`: a Redis 7 server; each operation is one
 *   server-side script, waiters are woken by blocking pops, and hand-off is
 *   strictly first come, first served. No dependency: the library speaks
 *   the protocol itself.
 * - `memory://`: the same operations in this isolate ({@linkcode MemoryServer}),
 *   for tests; on the `cooperative` backend its clock is virtual, so leases,
 *   crashes and restarts run under `explore()`.
 *
 * Locks and permits are leases (`leaseMs`), renewed while held: a holder
 * that dies frees them when the lease ends; a holder that cannot renew in
 * time learns it (`lock.lost` aborts, `release()` throws
 * {@linkcode LockLostError}). Every grant of a lock carries a larger
 * `fencingToken`.
 *
 * Methods that need the server return Promises (`await lock.release()`,
 * `await event.isSet()`), `guard()` returns an `AsyncDisposable`, and
 * there are no `...Sync` twins. Timeouts, signals and errors follow the
 * in-process primitives.
 *
 * @example A lock and a queue shared by name
 * ```ts
 * import { connect } from "@locksmith/threading/distributed";
 * import { assertEquals } from "@std/assert";
 *
 * await using manager = await connect("memory://", { prefix: "myapp", leaseMs: 10_000 });
 * const lock = manager.Lock("orders");
 * const jobs = manager.Queue<string>("jobs", 100);
 * {
 *   await using _ = await lock.guard();
 *   await jobs.put(`order under token ${lock.fencingToken}`);
 * }
 * assertEquals(await jobs.get(), "order under token 1");
 * ```
 *
 * @module
 */
export { connect, type ConnectOptions, Manager } from "./manager.ts";
export type { PrimitiveOptions } from "./_options.ts";
export { Lock } from "./lock.ts";
export { RLock } from "./rlock.ts";
export { BoundedSemaphore, Semaphore } from "./semaphore.ts";
export { Condition } from "./condition.ts";
export { Event } from "./event.ts";
export { Barrier } from "./barrier.ts";
export { LifoQueue, Queue, type QueueOptions } from "./queue.ts";
export { MemoryServer, type MemoryServerOptions } from "./memory_server.ts";
export { ConnectionError, LockLostError } from "./errors.ts";
export type { StreamSocket, TcpConnect } from "./_transport.ts";
export type { QueueWaitOptions } from "./_library.ts";
// Types and errors of the library that this entry point's signatures use.
export { RuntimeError } from "../mod.ts";
export type { WaitOptions } from "../mod.ts";
