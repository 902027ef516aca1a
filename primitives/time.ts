/**
 * `monotonic()` and `sleep()`: Python's `time.monotonic` and `time.sleep`,
 * in milliseconds, on a backend's clock.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import type { Backend, Cells, ParkRequest, Subject } from "../backends/types.ts";
import { PARK_INVALID } from "../backends/types.ts";
import { PRIMITIVE_OPTIONS, schedulingPoint } from "./core.ts";
import { checkOptions } from "../runtime/options.ts";
import { abortedSignal, checkDuration, checkSignal } from "../runtime/wait_options.ts";

/**
 * The backend's clock in milliseconds: real time on `async` and `atomics`,
 * virtual time on `cooperative`. Only differences between readings mean
 * anything.
 *
 * @param options `backend`: whose clock (default: the default backend).
 * @returns Milliseconds since an arbitrary origin.
 * @throws {TypeError} If `options` is not an options object with only `backend`, or the backend is unknown.
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
  checkOptions("read the clock", options, PRIMITIVE_OPTIONS);
  return getBackend(options?.backend).now();
}

const sleeper: Subject = { label: "sleep" };
const cellsByBackend = new WeakMap<object, Cells>();
const SLEEP_OPTIONS = ["backend", "signal"];

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
 * @throws {TypeError} If `ms` is not a number, or an option is unknown or of the wrong type.
 *
 * @example Sleeping
 * ```ts
 * import { sleep } from "@locksmith/threading";
 *
 * await sleep(1);
 * ```
 */
export function sleep(ms: number, options?: { backend?: BackendChoice; signal?: AbortSignal }): Promise<void> {
  // An aborted signal rejects before any other check (abortedSignal reads only an options object).
  const aborted = abortedSignal(options);
  if (aborted) return Promise.reject(aborted.reason);
  let backend: Backend;
  let signal: AbortSignal | undefined;
  try {
    checkOptions("sleep", options, SLEEP_OPTIONS);
    checkDuration("sleep", ms, "ms");
    signal = checkSignal("sleep", options?.signal);
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
