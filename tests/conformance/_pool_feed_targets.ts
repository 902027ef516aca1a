/**
 * Module-reference targets for `pool_feed_cases.ts`: `{ module, export }`
 * names one of these exports, which a Worker (or a thread of this isolate)
 * imports and calls. No imports, so a Worker can load it without the import
 * map.
 *
 * @module
 */

/** This module, for `{ module: POOL_FEED_TARGETS, export }`. */
export const POOL_FEED_TARGETS: string = import.meta.url;

/** Returns `x`: a task whose result is as large as its argument. */
export function echo<T>(x: T): T {
  return x;
}

/** `x * x`. */
export function square(x: number): number {
  return x * x;
}
