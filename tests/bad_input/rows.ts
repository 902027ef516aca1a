/**
 * The vocabulary of the bad-input table: what a row is, the bad values it
 * tries, and builders for the argument shapes the public surface shares (a
 * timeout, Python's `(blocking, timeout)`, an options object).
 *
 * A row says what a user wrote, which error class the call must throw (or
 * reject with), and what its message must say: the argument's name in
 * quotes and the value received. `bad_input_test.ts` runs every row;
 * the README's "Bad input" table is rendered from the same rows.
 *
 * @module
 */
import { OverflowError, ValueError } from "@locksmith/threading";

/** An error class a row expects. */
export type ErrorClass = new (...args: never[]) => Error;

/** The reason of the already-aborted signal the rows pass: the call must reject with it, as it is. */
export const REASON: Error = new Error("aborted before the call");

/** Rows with this `error` expect a rejection with {@linkcode REASON} itself, before any other check. */
export const SIGNAL_REASON = "signal.reason";

/** One bad call. */
export interface BadInput {
  /** The call, as the README shows it: `lock.acquire(blocking, timeout)`. */
  readonly call: string;
  /** The argument (or option) that is wrong. */
  readonly argument: string;
  /** The bad input as code: `-5`, `{ tiemout: 5 }`. */
  readonly input: string;
  /** The class the call must throw or reject with, or {@linkcode SIGNAL_REASON}. */
  readonly error: ErrorClass | typeof SIGNAL_REASON;
  /** What the message must contain: the argument in quotes, the value received, a suggested key. */
  readonly mustSay: readonly string[];
  /** Makes the call on fresh objects; may throw, or return a Promise that rejects. */
  readonly run: (scope: Scope) => unknown;
}

/** What a row's call may use: `defer` registers a clean-up the test runs after the row, whatever happened. */
export interface Scope {
  defer(cleanup: () => unknown): void;
}

/** Makes a call with one bad value. */
export type Call = (value: unknown, scope: Scope) => unknown;

/** A bad value: itself, as code, and as a message shows it. */
export interface BadValue {
  readonly value: unknown;
  readonly input: string;
  readonly received: string;
}

const bad = (value: unknown, input: string, received: string = input): BadValue => ({ value, input, received });

/** The bad values the rows try. */
export const NEGATIVE: BadValue = bad(-5, "-5");
export const NAN: BadValue = bad(NaN, "NaN");
export const INFINITY: BadValue = bad(Infinity, "Infinity");
export const HUGE: BadValue = bad(2 ** 31, "2 ** 31", "2147483648");
export const HUGER: BadValue = bad(2 ** 53, "2 ** 53", "9007199254740992");
export const FRACTION: BadValue = bad(1.5, "1.5");
export const ZERO: BadValue = bad(0, "0");
export const STRING: BadValue = bad("10", '"10"');
export const BOOLEAN: BadValue = bad(true, "true");
export const NUMBER: BadValue = bad(5, "5");
export const NULL: BadValue = bad(null, "null");
export const UNDEFINED: BadValue = bad(undefined, "undefined");
export const OBJECT: BadValue = bad({}, "{}", "Object {}");
export const ARRAY: BadValue = bad([], "[]", "Array []");
export const BAD_MODULE: BadValue = bad(
  { module: 5, export: "x" },
  '{ module: 5, export: "x" }',
  'Object {"module":5,"export":"x"}',
);
export const FUNCTION: BadValue = bad(function fn() {}, "function fn() {}", "function fn");

/** Rows for one argument: each bad value with the class it must raise. */
export function argumentRows(
  call: string,
  argument: string,
  run: Call,
  cases: readonly (readonly [BadValue, ErrorClass])[],
): BadInput[] {
  return cases.map(([value, error]) => ({
    call,
    argument,
    input: value.input,
    error,
    mustSay: [`'${argument}'`, value.received],
    run: (scope) => run(value.value, scope),
  }));
}

/** The bad timeouts of a `timeout` argument in ms (`undefined`, `null` and `-1` mean forever). */
export const BAD_TIMEOUTS: readonly (readonly [BadValue, ErrorClass])[] = [
  [NEGATIVE, ValueError],
  [NAN, ValueError],
  [INFINITY, OverflowError],
  [HUGE, OverflowError],
  [STRING, TypeError],
];

/** An options object with a misspelled key: the message names the key and suggests the right one. */
export function misspelledRow(
  call: string,
  run: Call,
  wrong: string,
  right: string | undefined,
  value: unknown = 5,
): BadInput {
  const shown = typeof value === "string" ? `"${value}"` : String(value);
  return {
    call,
    argument: "options",
    input: `{ ${wrong}: ${shown} }`,
    error: TypeError,
    mustSay: [`'${wrong}'`, ...(right === undefined ? [] : [`did you mean '${right}'?`]), `{"${wrong}":${shown}}`],
    run: (scope) => run({ [wrong]: value }, scope),
  };
}

/**
 * Rows of an options object: not an object (null, a number, a string, an
 * array), a misspelled key, an unknown backend name.
 *
 * @param nullable Whether `null` is accepted (as Python's `None`).
 */
export function optionsRows(
  call: string,
  run: Call,
  misspelled: readonly [string, string, unknown?],
  { backend = true, nullable = false }: { backend?: boolean; nullable?: boolean } = {},
): BadInput[] {
  const rows = argumentRows(
    call,
    "options",
    run,
    [...(nullable ? [] : [[NULL, TypeError] as const]), [NUMBER, TypeError], [STRING, TypeError], [ARRAY, TypeError]],
  );
  rows.push(misspelledRow(call, run, misspelled[0], misspelled[1], misspelled[2]));
  if (backend) {
    rows.push(...argumentRows(call, "backend", (value, scope) => run({ backend: value }, scope), [
      [bad("no-such-backend", '"no-such-backend"'), TypeError],
      [OBJECT, TypeError],
      [NUMBER, TypeError],
    ]));
  }
  return rows;
}

/** A row whose call gets an already-aborted signal and must reject with its reason. */
export function abortedRow(call: string, run: (signal: AbortSignal, scope: Scope) => unknown): BadInput {
  return {
    call,
    argument: "signal",
    input: "{ signal: AbortSignal.abort() }",
    error: SIGNAL_REASON,
    mustSay: [],
    run: (scope) => run(AbortSignal.abort(REASON), scope),
  };
}

/**
 * Rows of a wait's argument, a timeout in ms or `{ timeout, signal }`:
 * bad timeouts either way, a misspelled key, a bad or aborted signal.
 */
export function waitRows(call: string, run: Call): BadInput[] {
  return [
    ...argumentRows(call, "timeout", run, [...BAD_TIMEOUTS, [BOOLEAN, TypeError], [ARRAY, TypeError]]),
    ...argumentRows(call, "timeout", (timeout, scope) => run({ timeout }, scope), [[NEGATIVE, ValueError], [
      STRING,
      TypeError,
    ]])
      .map((row) => ({ ...row, input: `{ timeout: ${row.input} }` })),
    misspelledRow(call, run, "tiemout", "timeout"),
    ...argumentRows(call, "signal", (signal, scope) => run({ signal }, scope), [[STRING, TypeError]])
      .map((row) => ({ ...row, input: `{ signal: ${row.input} }` })),
    abortedRow(call, (signal, scope) => run({ signal }, scope)),
  ];
}

/** Rows of a `...Sync` twin's timeout. */
export function syncWaitRows(call: string, run: Call): BadInput[] {
  return argumentRows(call, "timeout", run, [...BAD_TIMEOUTS, [ARRAY, TypeError]]);
}

/**
 * Rows of Python's `acquire(blocking, timeout)` or `acquire(options)`: a
 * non-boolean `blocking`, bad timeouts, a timeout with `blocking = false`,
 * both forms at once, and the options rows of {@linkcode waitRows}.
 */
export function acquireRows(
  call: string,
  run: (first: unknown, second: unknown, scope: Scope) => unknown,
): BadInput[] {
  return [
    ...argumentRows(call, "blocking", (blocking, scope) => run(blocking, undefined, scope), [[STRING, TypeError], [
      NULL,
      TypeError,
    ]]),
    ...argumentRows(call, "blocking", (blocking, scope) => run(blocking, undefined, scope), [[ARRAY, TypeError]]),
    ...argumentRows(call, "timeout", (timeout, scope) => run(true, timeout, scope), BAD_TIMEOUTS)
      .map((row) => ({ ...row, input: `true, ${row.input}` })),
    {
      call,
      argument: "timeout",
      input: "false, 5",
      error: ValueError,
      mustSay: ["'timeout'", "5"],
      run: (scope) => run(false, 5, scope),
    },
    {
      call,
      argument: "timeout",
      input: "{ timeout: 5 }, 5",
      error: TypeError,
      mustSay: ["'timeout'", "5"],
      run: (scope) => run({ timeout: 5 }, 5, scope),
    },
    ...argumentRows(call, "blocking", (blocking, scope) => run({ blocking }, undefined, scope), [[STRING, TypeError]])
      .map((row) => ({ ...row, input: `{ blocking: ${row.input} }` })),
    ...waitRows(call, (arg, scope) => run(arg, undefined, scope)).filter((row) =>
      row.input.startsWith("{") || row.error === SIGNAL_REASON
    ),
  ];
}
