/**
 * A `node:worker_threads` Worker that the library did not start, for
 * `tests/atomics_unmanaged_test.ts`: it revives the Lock whose handle is in
 * its `workerData`, takes it, says so in the shared flags, and exits with
 * `process.exit(3)` while holding it.
 *
 * @module
 */
import { workerData } from "node:worker_threads";
import { type Lock, revive } from "@locksmith/threading";

/** What the Worker is given. */
export interface OwnWorkerData {
  /** A Lock's handle (a structured clone of the Lock). */
  readonly lock: unknown;
  /** Flags: slot 0 is set to 1 once the lock is held. */
  readonly flags: Int32Array;
}

if (workerData !== null && typeof workerData === "object" && "lock" in workerData) {
  const { lock, flags } = workerData as OwnWorkerData;
  revive<Lock>(lock).acquireSync();
  Atomics.store(flags, 0, 1);
  (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(3);
}
