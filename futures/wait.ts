/**
 * `wait`: Python's `concurrent.futures.wait`.
 *
 * @module
 */
import { getDefaultBackend } from "../backends/mod.ts";
import { describe } from "../runtime/describe.ts";
import { checkKeys, isOptions } from "../runtime/options.ts";
import { checkTimeout } from "../runtime/wait_options.ts";
import { ValueError } from "../runtime/errors.ts";
import { addWaiter, type AnyFuture, hasFailed, removeWaiter } from "./future.ts";
import { AllCompletedWaiter, AnyCompletedWaiter, type CollectingWaiter } from "./_waiters.ts";
import { futureSet, settled } from "./_future_set.ts";

/** `wait` returns when any future finishes or is cancelled. */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** `wait` returns when any future finishes by raising an exception, or when all are done. */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** `wait` returns when all futures are done (the default). */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** When `wait` returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** The options of `wait`. */
export interface WaitFuturesOptions {
  /** Milliseconds to wait at most; `undefined`, `null` or `-1`: forever. */
  timeout?: number | null;
  /** When to return (default `ALL_COMPLETED`). */
  returnWhen?: ReturnWhen;
  /** Aborting it rejects the wait with `signal.reason`. */
  signal?: AbortSignal;
}

const WAIT_FUTURES_OPTIONS: readonly (keyof WaitFuturesOptions)[] = ["timeout", "returnWhen", "signal"];

/** What `wait` returns (Python's `DoneAndNotDoneFutures`), for futures of type `F`. */
export interface DoneAndNotDoneFutures<F extends AnyFuture> {
  /** The futures that are done: finished, or cancelled and seen by their executor. */
  readonly done: Set<F>;
  /** The others. */
  readonly notDone: Set<F>;
}

const RETURN_WHEN: readonly string[] = [FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED];

/**
 * Waits for futures (Python's `concurrent.futures.wait`): until all are
 * done (`ALL_COMPLETED`, the default), the first is done
 * (`FIRST_COMPLETED`), or the first raises (`FIRST_EXCEPTION`, or all done
 * if none raises), or until the timeout. It never throws the futures'
 * exceptions: it sorts the futures into `done` and `notDone`. As in Python,
 * a cancelled future counts as done once its executor has seen the
 * cancellation (a future cancelled by hand and never run stays not done).
 *
 * @typeParam F The type of the futures.
 * @param fs The futures (any iterable; duplicates count once).
 * @param timeout Milliseconds, or `{ timeout, returnWhen, signal }`; omitted: forever.
 * @param returnWhen When to return, if `timeout` is a number.
 * @returns The done and not-done futures.
 * @throws {ValueError} If `returnWhen` is not one of the three constants, or the timeout is negative.
 * @throws {TypeError} If `fs` is not an iterable of futures, or an option is unknown or has the wrong type.
 *
 * @example The first to finish
 * ```ts
 * import { FIRST_COMPLETED, ThreadPoolExecutor, wait } from "@locksmith/threading/futures";
 * import { sleep } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const slow = pool.submit(() => sleep(200).then(() => "slow"));
 * const fast = pool.submit(() => "fast");
 * const { done, notDone } = await wait([slow, fast], { returnWhen: FIRST_COMPLETED });
 * assertEquals([...done], [fast]);
 * assertEquals([...notDone], [slow]);
 * ```
 */
export async function wait<F extends AnyFuture>(
  fs: Iterable<F>,
  timeout?: number | WaitFuturesOptions | null,
  returnWhen?: ReturnWhen,
): Promise<DoneAndNotDoneFutures<F>> {
  let ms: unknown = timeout;
  let when: unknown = returnWhen;
  let signal: AbortSignal | undefined;
  // An array is no options object: it is refused as a timeout that is not a number.
  if (isOptions(timeout)) {
    const options = timeout as WaitFuturesOptions;
    if (options.signal?.aborted) throw options.signal.reason;
    checkKeys("wait for futures", options, WAIT_FUTURES_OPTIONS);
    if (returnWhen !== undefined) {
      throw new TypeError(
        `Cannot wait for futures with both an options object and 'returnWhen': received ${describe(returnWhen)}`,
      );
    }
    ms = options.timeout;
    when = options.returnWhen;
    signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(`Cannot wait for futures as 'signal' must be an AbortSignal: received ${describe(signal)}`);
    }
  }
  when ??= ALL_COMPLETED;
  if (!RETURN_WHEN.includes(when as string)) {
    throw new ValueError(
      `Cannot wait for futures as 'returnWhen' must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED: received ${
        describe(when)
      }`,
    );
  }
  const limit = checkTimeout("wait for futures", ms);
  const all = futureSet("wait for futures", fs);

  const done = new Set([...all].filter(settled));
  const result = () => ({ done, notDone: new Set([...all].filter((f) => !done.has(f))) });
  if (when === FIRST_COMPLETED && done.size > 0) return result();
  if (when === FIRST_EXCEPTION && [...done].some((f) => hasFailed(f))) return result();
  if (done.size === all.size) return result();

  const backend = [...all].find((f) => !done.has(f))?.backend ?? getDefaultBackend();
  const waiter: CollectingWaiter = when === FIRST_COMPLETED
    ? new AnyCompletedWaiter(backend)
    : new AllCompletedWaiter(backend, all.size - done.size, when === FIRST_EXCEPTION);
  for (const f of all) addWaiter(f, waiter);
  try {
    const waitTimeout = limit === Infinity ? undefined : limit;
    await waiter.event.wait(signal === undefined ? waitTimeout : { timeout: waitTimeout, signal });
  } finally {
    for (const f of all) removeWaiter(f, waiter);
  }
  for (const f of waiter.finished) done.add(f as F);
  return result();
}
