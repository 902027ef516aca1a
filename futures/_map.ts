/**
 * The two halves of `Executor.map`: reading its arguments (Python's
 * `map(fn, *iterables, timeout, chunksize)`, options last), and yielding the
 * results of the submitted calls in order.
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import { isModuleTarget } from "../runtime/target.ts";
import { describe } from "../runtime/describe.ts";
import { checkKeys } from "../runtime/options.ts";
import { checkSignal, checkTimeout } from "../runtime/wait_options.ts";
import { ValueError } from "../runtime/errors.ts";
import type { Future } from "./future.ts";

/** The options of `Executor.map`. */
export interface MapOptions {
  /** Milliseconds, from the call, for all results; `undefined`, `null` or `-1`: forever. */
  timeout?: number | null;
  /**
   * How many calls go to a Worker as one task (`>= 1`, default 1): on Workers (the `atomics` backend) a
   * larger chunk saves round trips for many small calls. Threads of this isolate take one call per item.
   */
  chunksize?: number;
  /** Aborting it rejects the pending `next()` with `signal.reason` and cancels the calls not yet started. */
  signal?: AbortSignal;
}

const MAP_OPTIONS: readonly (keyof MapOptions)[] = ["timeout", "chunksize", "signal"];

/** What a map call asked for, checked. */
export interface MapCall {
  /** The arguments of each call, in order (the iterables zipped, stopping at the shortest). */
  readonly argsList: unknown[][];
  /** How many calls per task. */
  readonly chunksize: number;
  /** When every result must be in, on the backend's clock (`Infinity`: never). */
  readonly deadline: number;
  /** Aborts the iteration. */
  readonly signal: AbortSignal | undefined;
}

/**
 * Checks the arguments of `map(fn, ...iterables, options?)` and collects the
 * arguments of every call (Python submits them all at once, too).
 *
 * @param backend Whose clock the deadline is on.
 * @param fn The function or module reference.
 * @param rest The iterables, then optionally the options.
 */
export function readMapCall(backend: Backend, fn: unknown, rest: unknown[]): MapCall {
  if (typeof fn !== "function" && !isModuleTarget(fn)) {
    throw new TypeError(`Cannot map as 'fn' must be a function or { module, export }: received ${describe(fn)}`);
  }
  let options: MapOptions = {};
  const last = rest[rest.length - 1];
  // A last argument that is an object but not iterable is the options.
  if (rest.length > 0 && (last === undefined || (typeof last === "object" && last !== null && !isIterable(last)))) {
    options = (rest.pop() ?? {}) as MapOptions;
    checkKeys("map", options, MAP_OPTIONS);
  }
  if (rest.length === 0) throw new TypeError("Cannot map as no iterable was given");
  const iterators = rest.map((it) => {
    if (!isIterable(it)) {
      throw new TypeError(`Cannot map as each of 'iterables' must be iterable: received ${describe(it)}`);
    }
    return it[Symbol.iterator]();
  });
  const { chunksize = 1 } = options;
  if (typeof chunksize !== "number") {
    throw new TypeError(`Cannot map as 'chunksize' must be a number: received ${describe(chunksize)}`);
  }
  if (!Number.isInteger(chunksize) || chunksize < 1) {
    throw new ValueError(`Cannot map as 'chunksize' must be an integer >= 1: received ${describe(chunksize)}`);
  }
  const signal = checkSignal("map", options.signal);
  const deadline = backend.now() + checkTimeout("map", options.timeout);
  const argsList: unknown[][] = [];
  for (;;) {
    const args: unknown[] = [];
    for (const it of iterators) {
      const next = it.next();
      if (next.done) return { argsList, chunksize, deadline, signal };
      args.push(next.value);
    }
    argsList.push(args);
  }
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && value !== undefined &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] === "function";
}

/**
 * Yields the results of `futures` in order, each waited for until
 * `deadline`. As Python's `_result_or_cancel`: a future whose result was
 * not obtained is cancelled, and so are those after it when the iteration
 * ends early.
 *
 * @param futures The calls' futures, in order.
 * @param deadline On `backend`'s clock; `Infinity`: forever.
 * @param signal Aborts the wait in progress.
 * @param backend Whose clock the deadline is on.
 */
export async function* mapResults<T>(
  futures: Future<T>[],
  deadline: number,
  signal: AbortSignal | undefined,
  backend: Backend,
): AsyncGenerator<T, void, undefined> {
  let i = 0;
  try {
    for (; i < futures.length; i++) {
      const future = futures[i];
      let value: T;
      try {
        const timeout = deadline === Infinity ? undefined : Math.max(0, deadline - backend.now());
        value = await future.result(signal === undefined ? timeout : { timeout, signal });
      } finally {
        // A call whose result was not obtained must not start later.
        future.cancel();
      }
      yield value;
    }
  } finally {
    for (; i < futures.length; i++) futures[i].cancel();
  }
}

/**
 * Yields the items of each list that `lists` yields (the results of chunks
 * of calls, as Python's `_chain_from_iterable_of_lists`).
 *
 * @param lists The chunks' results, in order.
 */
export async function* flatten<T>(lists: AsyncGenerator<T[], void, undefined>): AsyncGenerator<T, void, undefined> {
  // Leaving early closes `lists`, which cancels the chunks not yet started.
  for await (const list of lists) yield* list;
}
