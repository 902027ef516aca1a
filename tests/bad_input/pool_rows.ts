/**
 * Bad inputs of the `multiprocessing` and `multiprocessing/dummy` entry
 * points: Process, both Pools, their results and iterators, and
 * `poolWorker`. Pools are terminated when the row is over.
 *
 * @module
 */
import { Event, ValueError } from "@locksmith/threading";
import { Pool as ProcessPool, poolWorker, Process } from "@locksmith/threading/multiprocessing";
import { Pool } from "@locksmith/threading/multiprocessing/dummy";
import {
  argumentRows,
  BAD_MODULE,
  type BadInput,
  FRACTION,
  FUNCTION,
  misspelledRow,
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

/** A pool of one thread, terminated when the row is over. */
function pool(scope: Scope): Pool {
  const made = new Pool(1);
  scope.defer(async () => {
    made.terminate();
    await made.join();
  });
  return made;
}

/** A pool whose one call runs until the row is over: its result and iterators stay pending. */
function busyPool(scope: Scope): { pool: Pool; release: Event } {
  const release = new Event();
  scope.defer(() => release.set());
  return { pool: pool(scope), release };
}

/** A finished process on the `async` backend (a Worker is not needed to check arguments). */
function process(scope: Scope): Process {
  const made = new Process({ backend: "async" });
  made.start();
  scope.defer(() => made.join());
  return made;
}

const PROCESS = "new Process(options)";
const MP_POOL = "new multiprocessing.Pool(processes, initializer, initargs, options)";
const POOL = "new Pool(processes, initializer, initargs, options)";

/** Rows of a pool's `func, iterable, chunksize` calls. */
function mapRows(
  method: string,
  call: (p: Pool, func: unknown, iterable: unknown, chunksize?: unknown) => unknown,
  items: unknown[] = [1],
) {
  const name = `pool.${method}(func, iterable, chunksize)`;
  return [
    ...argumentRows(name, "func", (v, s) => call(pool(s), v, items), [[NUMBER, TypeError], [OBJECT, TypeError]]),
    ...argumentRows(name, "iterable", (v, s) => call(pool(s), noop, v), [[NUMBER, TypeError], [NULL, TypeError]]),
    ...argumentRows(name, "chunksize", (v, s) => call(pool(s), noop, items, v), [
      [ZERO, ValueError],
      [NEGATIVE, ValueError],
      [FRACTION, ValueError],
      [STRING, TypeError],
    ]),
  ];
}

/** Every bad-input row of the multiprocessing entry points. */
export const POOL_ROWS: readonly BadInput[] = [
  ...optionsRows(PROCESS, (options) => new Process(o(options)), ["tagret", "target"]),
  ...argumentRows(PROCESS, "target", (v) => new Process({ target: o(v) }), [
    [FUNCTION, TypeError],
    [BAD_MODULE, TypeError],
    [STRING, TypeError],
  ]),
  ...argumentRows(PROCESS, "args", (v) => new Process({ args: o(v) }), [[STRING, TypeError]]),
  ...argumentRows(PROCESS, "name", (v) => new Process({ name: o(v) }), [[NUMBER, TypeError]]),
  ...argumentRows(PROCESS, "daemon", (v) => new Process({ daemon: o(v) }), [[STRING, TypeError]]),
  ...waitRows("process.join(timeout)", (v, s) => process(s).join(o(v))),
  ...syncWaitRows("process.joinSync(timeout)", (v, s) => process(s).joinSync(o(v))),

  ...argumentRows(MP_POOL, "processes", (v) => new ProcessPool(o(v)), [
    [ZERO, ValueError],
    [NEGATIVE, ValueError],
    [STRING, TypeError],
  ]),
  ...argumentRows(MP_POOL, "initializer", (v) => new ProcessPool(1, o(v)), [
    [FUNCTION, TypeError],
    [NUMBER, TypeError],
  ]),
  ...argumentRows(MP_POOL, "initargs", (v) => new ProcessPool(1, null, o(v)), [[STRING, TypeError]]),
  ...optionsRows(MP_POOL, (options) => new ProcessPool(1, null, [], o(options)), ["bakend", "backend", "atomics"]),

  ...argumentRows(POOL, "processes", (v) => new Pool(o(v)), [
    [ZERO, ValueError],
    [NEGATIVE, ValueError],
    [FRACTION, ValueError],
    [STRING, TypeError],
  ]),
  ...argumentRows(POOL, "initializer", (v) => new Pool(1, o(v)), [[NUMBER, TypeError], [STRING, TypeError]]),
  ...argumentRows(POOL, "initargs", (v) => new Pool(1, null, o(v)), [[STRING, TypeError]]),
  ...optionsRows(POOL, (options) => new Pool(1, null, [], o(options)), ["bakend", "backend", "async"]),
  ...mapRows("map", (p, f, it, size) => p.map(o(f), o(it), o(size))),
  ...mapRows("mapAsync", (p, f, it, size) => p.mapAsync(o(f), o(it), o(size))),
  ...mapRows("starmap", (p, f, it, size) => p.starmap(o(f), o(it), o(size)), [[1]]),
  ...argumentRows("pool.starmap(func, iterable, chunksize)", "iterable", (v, s) => pool(s).starmap(noop, o(v)), [
    [{ value: [5], input: "[5]", received: "5" }, TypeError],
  ]),
  ...argumentRows("pool.imap(func, iterable, chunksize)", "func", (v, s) => pool(s).imap(o(v), [1]), [
    [NUMBER, TypeError],
  ]),
  ...argumentRows("pool.imap(func, iterable, chunksize)", "chunksize", (v, s) => pool(s).imap(noop, [1], o(v)), [
    [ZERO, ValueError],
    [STRING, TypeError],
  ]),
  ...argumentRows(
    "pool.imapUnordered(func, iterable, chunksize)",
    "chunksize",
    (v, s) => pool(s).imapUnordered(noop, [1], o(v)),
    [[ZERO, ValueError]],
  ),
  ...argumentRows("pool.apply(func, args)", "func", (v, s) => pool(s).apply(o(v)), [[NULL, TypeError]]),
  ...argumentRows("pool.apply(func, args)", "args", (v, s) => pool(s).apply(noop, o(v)), [
    [STRING, TypeError],
    [NUMBER, TypeError],
  ]),
  ...argumentRows(
    "pool.applyAsync(func, args, callback, errorCallback)",
    "callback",
    (v, s) => pool(s).applyAsync(noop, [], o(v)),
    [[NUMBER, TypeError], [STRING, TypeError]],
  ),
  ...argumentRows(
    "pool.applyAsync(func, args, callback, errorCallback)",
    "errorCallback",
    (v, s) => pool(s).applyAsync(noop, [], null, o(v)),
    [[NUMBER, TypeError]],
  ),
  misspelledRow(
    "pool.applyAsync(func, args, callback, errorCallback)",
    (v, s) => pool(s).applyAsync(noop, [], o(v)),
    "callbak",
    "callback",
  ),
  ...waitRows("pool.join(timeout)", (v, s) => {
    const { pool, release } = busyPool(s);
    pool.applyAsync(() => release.wait());
    pool.close();
    return pool.join(o(v));
  }),
  ...waitRows("asyncResult.get(timeout)", (v, s) => {
    const { pool, release } = busyPool(s);
    return pool.applyAsync(() => release.wait()).get(o(v));
  }),
  ...waitRows("asyncResult.wait(timeout)", (v, s) => {
    const { pool, release } = busyPool(s);
    return pool.applyAsync(() => release.wait()).wait(o(v));
  }),
  ...syncWaitRows("asyncResult.waitSync(timeout)", (v, s) => {
    const { pool, release } = busyPool(s);
    return pool.applyAsync(() => release.wait()).waitSync(o(v));
  }),
  ...waitRows("mapResult.get(timeout)", (v, s) => {
    const { pool, release } = busyPool(s);
    return pool.mapAsync(() => release.wait(), [1]).get(o(v));
  }),
  ...waitRows("imapIterator.next(timeout)", (v, s) => {
    const { pool, release } = busyPool(s);
    return pool.imap(() => release.wait(), [1]).next(o(v));
  }),

  ...argumentRows(
    "poolWorker(tasks, results, initializer, initargs)",
    "tasks",
    (v) => poolWorker(o(v), o(null), null, []),
    [
      [NULL, TypeError],
      [OBJECT, TypeError],
    ],
  ),
  ...argumentRows(
    "poolWorker(tasks, results, initializer, initargs)",
    "results",
    (v) => poolWorker({ get: () => Promise.resolve(null) }, o(v), null, []),
    [[NULL, TypeError], [OBJECT, TypeError]],
  ),
  ...argumentRows(
    "poolWorker(tasks, results, initializer, initargs)",
    "initargs",
    (v) => poolWorker({ get: () => Promise.resolve(null) }, { put: noop }, null, o(v)),
    [[STRING, TypeError]],
  ),
];
