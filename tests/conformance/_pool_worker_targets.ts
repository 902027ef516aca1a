/**
 * Module-referenced functions for `pool_worker_cases.ts`: each is imported
 * and called by a Worker of a `multiprocessing` Pool. Relative imports only,
 * so a Worker can load it without the import map.
 *
 * @module
 */
import { currentThread, Event, ValueError } from "@locksmith/threading";

/** This module, for `{ module: POOL_WORKER_TARGETS, export }`. */
export const POOL_WORKER_TARGETS: string = import.meta.url;

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

/** Raises the library's ValueError: a class a structured clone alone would not keep. */
export function failWithValueError(x: number): never {
  throw new ValueError(`no good: ${x}`);
}

/** Ends the Worker it runs in, as a crash would (the task never reports back). */
export function dieInWorker(): void {
  (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(3);
}

/** Awaits a timer that never fires in time: only stopping its Worker ends it (at its event loop). */
export async function awaitForever(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 2 ** 31 - 1));
}

/** Blocks its Worker in a wait of the library (`Atomics.wait` inside) for good: only stopping it ends it. */
export function blockForever(): void {
  new Event({ backend: "atomics" }).waitSync();
}

/** Waits `ms` milliseconds (on a thread of this isolate, a process that can be interrupted only by ending). */
export async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
