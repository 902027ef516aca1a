/**
 * Module-reference targets for the pool, process and `_thread` cases:
 * `{ module, export }` names one of these exports, which a Worker (or a
 * thread of this isolate) imports and calls. Relative imports only, so a
 * Worker can load it without the import map.
 *
 * @module
 */
import { type Semaphore, sleep, SystemExit, ValueError } from "@locksmith/threading";

/** This module, for `{ module: TARGETS, export }`. */
export const TARGETS: string = import.meta.url;

/** `x * x`. */
export function square(x: number): number {
  return x * x;
}

/** `a + b`. */
export function add(a: number, b: number): number {
  return a + b;
}

/** Returns `x` after `ms` ms. */
export async function later(x: number, ms: number): Promise<number> {
  await sleep(ms);
  return x;
}

/** Throws a `ValueError` with `message`. */
export function fail(message: string): never {
  throw new ValueError(message);
}

/** Ends the thread with `SystemExit(code)`. */
export function exitWith(code: number): never {
  throw new SystemExit(code);
}

/** How many times `countInit` ran in this isolate, and with what. */
export const initCalls: unknown[] = [];

/** An initializer that records its argument. */
export function countInit(tag: unknown): void {
  initCalls.push(tag);
}

/** The last `countInit` argument, as a pool call sees it. */
export function lastInit(): unknown {
  return initCalls[initCalls.length - 1];
}

/** Releases `sem` once `ms` ms have passed. */
export async function releaseLater(sem: Semaphore, ms: number): Promise<void> {
  await sleep(ms);
  sem.release();
}
