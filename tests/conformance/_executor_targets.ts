/**
 * Module-reference targets for the `ThreadPoolExecutor` cases: a Worker of
 * the executor (or a thread of this isolate) imports this module and calls
 * the export that `{ module: EXECUTOR_TARGETS, export }` names. Relative
 * imports only, so a Worker can load it without the import map.
 *
 * @module
 */
import { type Barrier, currentThread, getIdent, sleep, ValueError } from "@locksmith/threading";

/** This module, for `{ module: EXECUTOR_TARGETS, export }`. */
export const EXECUTOR_TARGETS: string = import.meta.url;

/** `x * x`; a negative `x` raises a `ValueError` naming it. */
export function square(x: number): number {
  if (x < 0) throw new ValueError(`negative item ${x}`);
  return x * x;
}

/** `a + b`. */
export function add(a: number, b: number): number {
  return a + b;
}

/** Raises a `ValueError` with `message`. */
export function fail(message: string): never {
  throw new ValueError(message);
}

/** Returns `x` after `ms` ms. */
export async function later(x: number, ms: number): Promise<number> {
  await sleep(ms);
  return x;
}

// How many calls of `whereAmI` this isolate (Worker) has run.
let calls = 0;

/** Returns `[x, the ident of the thread running it, how many calls of it this isolate ran before]`. */
export function whereAmI(x: number): [number, number, number] {
  return [x, getIdent(), calls++];
}

/** Returns a function: a result that cannot be sent back from a Worker. */
export function unsendable(): () => void {
  return () => {};
}

// What `remember` was given in this isolate.
let remembered: unknown = undefined;

/** An initializer: keeps `value` for the calls this isolate runs later. */
export function remember(value: unknown): void {
  remembered = value;
}

/** What `remember` kept in this isolate. */
export function recall(): unknown {
  return remembered;
}

/**
 * Burns about `ms` ms of CPU, then waits at the `Barrier` that `remember`
 * kept (its parties can only meet if as many calls run at the same time,
 * each on its own Worker), and returns the ident of the thread that ran it.
 */
export function burnThenMeet(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  // A generous timeout: if the parties never meet, the barrier breaks instead of hanging.
  (remembered as Barrier).waitSync(30_000);
  return x >= 0 ? getIdent() : -1;
}

/** The name of the thread that runs the call (a Worker's, on Workers). */
export function threadName(): string {
  return currentThread().name;
}

/** Ends the Worker it runs in, as a crash would (the call never reports back). */
export function dieInWorker(): void {
  (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(3);
}

/** After `ms` ms, marks slot `i` of the `SharedArrayBuffer` that `remember` kept as run, and returns `i`. */
export async function markLater(i: number, ms: number): Promise<number> {
  await sleep(ms);
  Atomics.store(new Int32Array(remembered as SharedArrayBuffer), i, 1);
  return i;
}
