/**
 * `startNewThread`: Python's `_thread.start_new_thread`.
 *
 * @module
 */
import type { BackendChoice } from "../backends/mod.ts";
import type { Target } from "../backends/types.ts";
import { Thread } from "../primitives/thread.ts";
import { describe } from "../runtime/describe.ts";
import { checkOptions } from "../runtime/options.ts";
import { checkTarget } from "../runtime/target.ts";

/**
 * Starts a new thread that runs `fn(...args)` and returns its identifier
 * (Python's `_thread.start_new_thread`). It ends when `fn` returns or
 * calls `exitThread()`; an exception that escapes it goes to the
 * excepthook. There is no handle to join: signal completion through a lock
 * or another primitive. Its daemon status is the caller's (Python leaves
 * it to the platform whether such threads outlive the main thread): in
 * Deno a daemon's timers keep nothing alive, so a main thread awaiting a
 * lock that a daemon releases after a `sleep` would be left with nothing
 * pending.
 *
 * @param fn What the thread runs: a function, or `{ module, export }` (the form the `atomics` backend needs).
 * @param args Its arguments.
 * @param options `backend`: the thread's backend (default: the default backend).
 * @returns The new thread's ident.
 * @throws {TypeError} If `fn` is not a target, `args` not an array, or `options` not an options object with only
 * `backend`.
 *
 * @example Waiting for the thread through a lock
 * ```ts
 * import { allocateLock, getIdent, startNewThread } from "@locksmith/threading/_thread";
 * import { assertEquals } from "@std/assert";
 *
 * const done = allocateLock();
 * await done.acquire();
 * let seen = 0;
 * const ident = startNewThread((n: number) => {
 *   seen = getIdent() === ident ? n : -1;
 *   done.release();
 * }, [7]);
 * await done.acquire();
 * assertEquals(seen, 7);
 * ```
 */
export function startNewThread(fn: Target, args: unknown[] = [], options?: { backend?: BackendChoice }): number {
  checkTarget("start a new thread", fn, "fn");
  checkOptions("start a new thread", options, ["backend"]);
  if (!Array.isArray(args)) {
    throw new TypeError(`Cannot start a new thread as 'args' must be an array: received ${describe(args)}`);
  }
  const thread = new Thread({ target: fn, args, backend: options?.backend });
  thread.start();
  return thread.ident!;
}
