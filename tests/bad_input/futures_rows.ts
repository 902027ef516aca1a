/**
 * Bad inputs of the `futures` entry point: Future, the two executors,
 * `asCompleted` and `wait`. Waits are made on a future that never finishes
 * unless the row ends it, so a wrongly accepted argument would hang.
 *
 * @module
 */
import { ValueError } from "@locksmith/threading";
import { asCompleted, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait } from "@locksmith/threading/futures";
import {
  abortedRow,
  argumentRows,
  ARRAY,
  BAD_MODULE,
  BAD_TIMEOUTS,
  type BadInput,
  type BadValue,
  FRACTION,
  FUNCTION,
  misspelledRow,
  NAN,
  NEGATIVE,
  NULL,
  NUMBER,
  OBJECT,
  optionsRows,
  type Scope,
  STRING,
  syncWaitRows,
  waitRows,
  ZERO,
} from "./rows.ts";

const o = (value: unknown) => value as never;
const noop = () => {};

/** An executor shut down when the row is over. */
function executor(scope: Scope): ThreadPoolExecutor {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  scope.defer(() => pool.shutdown());
  return pool;
}

/** A future nobody finishes (cancelled when the row is over). */
function pending(scope: Scope): Future<number> {
  const future = new Future<number>();
  scope.defer(() => future.cancel());
  return future;
}

function executorOptionRows(kind: string, make: (options: unknown) => unknown, initializer: BadValue): BadInput[] {
  const call = `new ${kind}(options)`;
  return [
    ...optionsRows(call, make, ["maxWorker", "maxWorkers", 2]),
    ...argumentRows(call, "maxWorkers", (v) => make({ maxWorkers: v }), [
      [ZERO, ValueError],
      [NEGATIVE, ValueError],
      [NAN, ValueError],
      [FRACTION, ValueError],
      [STRING, TypeError],
    ]),
    ...argumentRows(call, "initializer", (v) => make({ initializer: v }), [
      [initializer, TypeError],
      [NUMBER, TypeError],
      [BAD_MODULE, TypeError],
    ]),
    ...argumentRows(call, "initargs", (v) => make({ initargs: v }), [[STRING, TypeError]]),
  ];
}

const SHUTDOWN = "executor.shutdown(wait, cancelFutures)";
const MAP = "executor.map(fn, ...iterables, options)";

/** Every bad-input row of the futures entry point. */
export const FUTURES_ROWS: readonly BadInput[] = [
  ...optionsRows("new Future(options)", (options) => new Future(o(options)), ["bakend", "backend", "async"]),
  ...waitRows("future.result(timeout)", (v, scope) => pending(scope).result(o(v))),
  ...syncWaitRows("future.resultSync(timeout)", (v, scope) => pending(scope).resultSync(o(v))),
  ...waitRows("future.exception(timeout)", (v, scope) => pending(scope).exception(o(v))),
  ...argumentRows("future.addDoneCallback(fn)", "fn", (v, scope) => pending(scope).addDoneCallback(o(v)), [
    [NULL, TypeError],
    [STRING, TypeError],
  ]),

  ...executorOptionRows("ThreadPoolExecutor", (options) => new ThreadPoolExecutor(o(options)), STRING),
  ...argumentRows(
    "new ThreadPoolExecutor(options)",
    "threadNamePrefix",
    (v) => new ThreadPoolExecutor({ threadNamePrefix: o(v) }),
    [[NUMBER, TypeError]],
  ),
  ...argumentRows("executor.submit(fn, ...args)", "fn", (v, scope) => executor(scope).submit(o(v)), [
    [NULL, TypeError],
    [NUMBER, TypeError],
    [OBJECT, TypeError],
  ]),
  ...argumentRows(MAP, "fn", (v, scope) => executor(scope).map(o(v), [1]), [[NUMBER, TypeError]]),
  ...argumentRows(MAP, "iterables", (v, scope) => executor(scope).map(noop, o(v)), [[NUMBER, TypeError]]),
  ...argumentRows(MAP, "timeout", (v, scope) => executor(scope).map(noop, [1], { timeout: o(v) }), BAD_TIMEOUTS)
    .map((row) => ({ ...row, input: `{ timeout: ${row.input} }` })),
  ...argumentRows(MAP, "chunksize", (v, scope) => executor(scope).map(noop, [1], { chunksize: o(v) }), [
    [ZERO, ValueError],
    [STRING, TypeError],
  ]).map((row) => ({ ...row, input: `{ chunksize: ${row.input} }` })),
  misspelledRow(MAP, (v, scope) => executor(scope).map(noop, [1], o(v)), "chunkSize", "chunksize", 2),
  abortedRow(MAP, (signal, scope) => executor(scope).map(noop, [1], { signal }).next()),
  ...argumentRows(SHUTDOWN, "wait", (v, scope) => executor(scope).shutdown(o(v)), [
    [STRING, TypeError],
    [ARRAY, TypeError],
  ]),
  ...argumentRows(SHUTDOWN, "cancelFutures", (v, scope) => executor(scope).shutdown(true, o(v)), [
    [STRING, TypeError],
  ]),
  misspelledRow(SHUTDOWN, (v, scope) => executor(scope).shutdown(o(v)), "wiat", "wait", false),

  ...executorOptionRows("ProcessPoolExecutor", (options) => new ProcessPoolExecutor(o(options)), FUNCTION),
  misspelledRow(
    "new ProcessPoolExecutor(options)",
    (v) => new ProcessPoolExecutor(o(v)),
    "threadNamePrefix",
    undefined,
    "x",
  ),

  ...argumentRows("asCompleted(fs, timeout)", "fs", (v) => asCompleted(o(v)), [
    [NUMBER, TypeError],
    [NULL, TypeError],
    [{ value: [5], input: "[5]", received: "5" }, TypeError],
  ]),
  ...waitRows("asCompleted(fs, timeout)", (v, scope) => asCompleted([pending(scope)], o(v))),

  ...argumentRows("wait(fs, options)", "fs", (v) => wait(o(v)), [[NUMBER, TypeError], [NULL, TypeError]]),
  ...waitRows("wait(fs, options)", (v, scope) => wait([pending(scope)], o(v))),
  ...argumentRows("wait(fs, options)", "returnWhen", (v, scope) => wait([pending(scope)], { returnWhen: o(v) }), [
    [{ value: "ALL", input: '"ALL"', received: '"ALL"' }, ValueError],
  ]).map((row) => ({ ...row, input: `{ returnWhen: ${row.input} }` })),
  misspelledRow("wait(fs, options)", (v, scope) => wait([pending(scope)], o(v)), "retrunWhen", "returnWhen", "x"),
];
