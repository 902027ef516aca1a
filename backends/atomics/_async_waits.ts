/**
 * What the parking lot of `atomics` keeps of this isolate's asynchronous
 * waits: each one as the registry of pending waits sees it, and the ref'd
 * timer that keeps the event loop alive while any waits (a pending
 * `Atomics.waitAsync` does not).
 *
 * @module
 */
import type { ThreadIdentity } from "../../runtime/current_thread.ts";
import type { RegisteredWait } from "../../runtime/pending.ts";
import type { ParkRequest } from "../types.ts";

/** The lot a wait is parked in, as far as a wait needs it. */
export interface WaitInterrupter {
  /** Ends `entry` with `reason` if it is still queued; says whether it was. */
  interruptWait(entry: AsyncWait, reason: unknown): boolean;
}

/** A pending asynchronous wait, as the registry of pending waits sees it. */
export class AsyncWait implements RegisteredWait {
  readonly backend = "atomics";
  pendingPrev: RegisteredWait | undefined = undefined;
  pendingNext: RegisteredWait | undefined = undefined;
  /** Set when `interrupt` took the record out of its bucket: the wait rejects with it. */
  interruption: { readonly reason: unknown } | undefined = undefined;
  // The lot's list of this isolate's waits in progress (what a dying Worker cleans up).
  lotPrev: AsyncWait | undefined = undefined;
  lotNext: AsyncWait | undefined = undefined;
  constructor(
    readonly request: ParkRequest<unknown>,
    readonly thread: ThreadIdentity,
    readonly lot: WaitInterrupter,
    readonly record: number,
    readonly key: number,
    readonly bucket: number,
  ) {}

  /** Ends the wait with `reason` if it is still queued (`interruptMain()`). */
  interrupt(reason: unknown): boolean {
    return this.lot.interruptWait(this, reason);
  }
}

// A pending `Atomics.waitAsync` does not keep the event loop alive: hold a
// ref'd timer while any waits, so a program whose threads all wait does not
// exit under them (a daemon thread's waits do not count, except in a Worker,
// whose own liveness its spawner decides).
let holds = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;
let countDaemons = false;

/** Keeps the event loop alive for a wait of `thread` (not a daemon's, but in a Worker); says whether it did. */
export function hold(thread: ThreadIdentity): boolean {
  if (thread.daemon && !countDaemons) return false;
  if (holds++ === 0) keepAlive = setInterval(noop, 0x7fffffff);
  return true;
}

/** Ends a `hold`. */
export function unhold(): void {
  if (--holds === 0) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

function noop(): void {}

/** Counts daemon threads' waits as keeping the isolate alive (in a Worker). */
export function keepAliveForDaemons(): void {
  countDaemons = true;
}
