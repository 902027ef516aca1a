/**
 * `monotonic()` and `sleep()`: Python's `time.monotonic` and `time.sleep`,
 * in milliseconds, on a backend's clock.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import type { Backend, Cells, ParkRequest, Subject } from "../backends/types.ts";
import { PARK_INVALID } from "../backends/types.ts";
import { schedulingPoint } from "./core.ts";
import { describe } from "../runtime/describe.ts";
import { TIMEOUT_MAX } from "../runtime/wait_options.ts";
import { OverflowError, ValueError } from "../runtime/errors.ts";

/**
 * The backend's clock in milliseconds: real time on `async` and `atomics`,
 * virtual time on `cooperative`. Only differences between readings mean
 * anything.
 *
 * @param options `backend`: whose clock (default: the default backend).
 * @returns Milliseconds since an arbitrary origin.
 *
 * @example Measuring a sleep
 * ```ts
 * import { monotonic, sleep } from "@locksmith/threading";
 * import { assert } from "@std/assert";
 *
 * const start = monotonic();
 * await sleep(5);
 * assert(monotonic() - start >= 5);
 * ```
 */
export function monotonic(options?: { backend?: BackendChoice }): number {
  return getBackend(options?.backend).now();
}

const sleeper: Subject = { label: "sleep" };
const cellsByBackend = new WeakMap<object, Cells>();

/**
 * Waits `ms` milliseconds on the backend's clock. `sleep(0)` is a scheduling
 * point: other threads run before it returns.
 *
 * @param ms How long, in ms (`>= 0`).
 * @param options `backend`: whose clock; `signal`: aborting it rejects the
 * sleep with `signal.reason`.
 * @returns Resolves when the time has passed.
 * @throws {ValueError} If `ms` is negative or NaN.
 * @throws {OverflowError} If `ms` is above `TIMEOUT_MAX`.
 *
 * @example Sleeping
 * ```ts
 * import { sleep } from "@locksmith/threading";
 *
 * await sleep(1);
 * ```
 */
export function sleep(ms: number, options?: { backend?: BackendChoice; signal?: AbortSignal }): Promise<void> {
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (typeof ms !== "number") {
    return Promise.reject(new TypeError(`Cannot sleep as 'ms' must be a number: received ${describe(ms)}`));
  }
  if (Number.isNaN(ms) || ms < 0) {
    return Promise.reject(new ValueError(`Cannot sleep as 'ms' must be >= 0: received ${ms}`));
  }
  if (ms > TIMEOUT_MAX) {
    return Promise.reject(
      new OverflowError(`Cannot sleep as 'ms' must be <= TIMEOUT_MAX (${TIMEOUT_MAX}): received ${ms}`),
    );
  }
  let backend;
  try {
    backend = getBackend(options?.backend);
  } catch (error) {
    return Promise.reject(error);
  }
  let cells = cellsByBackend.get(backend);
  if (!cells) cellsByBackend.set(backend, cells = backend.allocate(1));
  const request: ParkRequest<void> = {
    subject: sleeper,
    op: "sleep",
    timeout: ms,
    signal,
    timeoutValue: undefined,
    validate: () => true,
    wake: () => undefined,
  };
  // A scheduling backend (cooperative) may switch threads before the sleep begins.
  const entered = schedulingPoint(backend, "sleep", sleeper);
  return entered === undefined
    ? parkSleeper(backend, cells, request)
    : entered.then(() => parkSleeper(backend, cells, request));
}

function parkSleeper(backend: Backend, cells: Cells, request: ParkRequest<void>): Promise<void> {
  const parked = backend.park(cells, 0, request);
  return parked === PARK_INVALID ? Promise.resolve() : parked;
}
