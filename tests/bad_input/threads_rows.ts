/**
 * Bad inputs of threads and the rest of the root entry point: Thread,
 * Timer, time, settings and hooks, `synchronized`, backends, the explorer,
 * `revive`, and the `_thread` entry point.
 *
 * @module
 */
import {
  CooperativeBackend,
  Event,
  excepthook,
  explore,
  getBackend,
  getExcepthook,
  getProfile,
  getTrace,
  monotonic,
  OverflowError,
  registerBackend,
  replay,
  revive,
  setDefaultBackend,
  setExcepthook,
  setProfile,
  setTrace,
  sleep,
  stackSize,
  synchronized,
  Thread,
  Timer,
  ValueError,
  yieldNow,
} from "@locksmith/threading";
import { allocateLock, startNewThread } from "@locksmith/threading/_thread";
import {
  abortedRow,
  argumentRows,
  ARRAY,
  BAD_MODULE,
  BAD_TIMEOUTS,
  type BadInput,
  FRACTION,
  HUGE,
  INFINITY,
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
  UNDEFINED,
  waitRows,
  ZERO,
} from "./rows.ts";

const o = (value: unknown) => value as never;
const noop = () => {};

/** A started thread that runs until the row is over. */
function liveThread(scope: Scope): Thread {
  const release = new Event();
  const thread = new Thread({ target: () => release.wait() });
  thread.start();
  scope.defer(async () => {
    release.set();
    await thread.join();
  });
  return thread;
}

/** Calls `fn` and puts a global setting back afterwards, should the call wrongly change it. */
function restoring<T>(scope: Scope, get: () => T, set: (value: T) => void, fn: () => unknown): unknown {
  const before = get();
  scope.defer(() => set(before));
  return fn();
}

const THREAD = "new Thread(options)";
const TIMER = "new Timer(interval, fn, args, options)";

/** Every bad-input row of threads, time, settings, backends, the explorer and `_thread`. */
export const THREAD_ROWS: readonly BadInput[] = [
  ...optionsRows(THREAD, (options) => new Thread(o(options)), ["targt", "target"]),
  ...argumentRows(THREAD, "target", (target) => new Thread({ target: o(target) }), [
    [NUMBER, TypeError],
    [STRING, TypeError],
    [OBJECT, TypeError],
    [BAD_MODULE, TypeError],
  ]),
  ...argumentRows(THREAD, "name", (name) => new Thread({ name: o(name) }), [[NUMBER, TypeError]]),
  ...argumentRows(THREAD, "args", (args) => new Thread({ args: o(args) }), [[STRING, TypeError], [OBJECT, TypeError]]),
  ...argumentRows(THREAD, "daemon", (daemon) => new Thread({ daemon: o(daemon) }), [[STRING, TypeError]]),
  ...waitRows("thread.join(timeout)", (v, scope) => liveThread(scope).join(o(v))),
  ...syncWaitRows("thread.joinSync(timeout)", (v, scope) => liveThread(scope).joinSync(o(v))),
  ...argumentRows("thread.name = name", "name", (v) => new Thread().name = o(v), [[NUMBER, TypeError]]),
  ...argumentRows("thread.daemon = daemon", "daemon", (v) => new Thread().daemon = o(v), [[STRING, TypeError]]),

  ...argumentRows(TIMER, "interval", (v) => new Timer(o(v), noop), [
    [NULL, TypeError],
    [UNDEFINED, TypeError],
    [STRING, TypeError],
    [NEGATIVE, ValueError],
    [NAN, ValueError],
    [INFINITY, OverflowError],
    [HUGE, OverflowError],
  ]),
  ...argumentRows(TIMER, "fn", (v) => new Timer(10, o(v)), [
    [NULL, TypeError],
    [NUMBER, TypeError],
    [OBJECT, TypeError],
    [BAD_MODULE, TypeError],
  ]),
  ...argumentRows(TIMER, "args", (v) => new Timer(10, noop, o(v)), [[STRING, TypeError], [NUMBER, TypeError]]),
  ...optionsRows(TIMER, (options) => new Timer(10, noop, [], o(options)), ["nmae", "name", "t"]),

  ...optionsRows("monotonic(options)", (options) => monotonic(o(options)), ["bakend", "backend", "async"]),
  ...argumentRows("sleep(ms, options)", "ms", (v) => sleep(o(v)), [
    ...BAD_TIMEOUTS,
    [UNDEFINED, TypeError],
    [NULL, TypeError],
  ]),
  ...optionsRows("sleep(ms, options)", (options) => sleep(10, o(options)), ["sginal", "signal"]),
  ...argumentRows("sleep(ms, options)", "signal", (signal) => sleep(10, { signal: o(signal) }), [
    [STRING, TypeError],
  ]),
  abortedRow("sleep(ms, options)", (signal) => sleep(10, { signal })),
  ...optionsRows("yieldNow(options)", (options) => yieldNow(o(options)), ["bakend", "backend", "async"]),

  ...argumentRows("setTrace(fn)", "fn", (v, s) => restoring(s, getTrace, setTrace, () => setTrace(o(v))), [
    [STRING, TypeError],
    [NUMBER, TypeError],
  ]),
  ...argumentRows("setProfile(fn)", "fn", (v, s) => restoring(s, getProfile, setProfile, () => setProfile(o(v))), [
    [STRING, TypeError],
  ]),
  ...argumentRows(
    "setExcepthook(fn)",
    "fn",
    (v, s) => restoring(s, getExcepthook, setExcepthook, () => setExcepthook(o(v))),
    [[NULL, TypeError], [STRING, TypeError]],
  ),
  ...argumentRows("excepthook(args)", "args", (v) => excepthook(o(v)), [[NULL, TypeError], [NUMBER, TypeError]]),
  ...argumentRows("stackSize(size)", "size", (v) => stackSize(o(v)), [
    [NEGATIVE, ValueError],
    [{ value: 1000, input: "1000", received: "1000" }, ValueError],
    [NAN, TypeError],
    [FRACTION, TypeError],
    [STRING, TypeError],
  ]),
  ...argumentRows("synchronized(lock)", "lock", (v) => synchronized(o(v)), [[NUMBER, TypeError], [OBJECT, TypeError]]),
  ...argumentRows("synchronized(lock)(fn)", "fn", (v) => synchronized()(o(v)), [[STRING, TypeError], [
    NULL,
    TypeError,
  ]]),

  ...argumentRows("getBackend(backend)", "backend", (v) => getBackend(o(v)), [
    [{ value: "no-such-backend", input: '"no-such-backend"', received: "no-such-backend" }, TypeError],
    [NUMBER, TypeError],
    [NULL, TypeError],
    [OBJECT, TypeError],
  ]),
  ...argumentRows(
    "setDefaultBackend(backend)",
    "backend",
    (v, s) => restoring(s, () => getBackend(), setDefaultBackend, () => setDefaultBackend(o(v))),
    [[{ value: "no-such-backend", input: '"no-such-backend"', received: "no-such-backend" }, TypeError], [
      OBJECT,
      TypeError,
    ]],
  ),
  ...argumentRows("registerBackend(name, backend)", "name", (v) => registerBackend(o(v), getBackend("async")), [
    [{ value: "", input: '""', received: '""' }, TypeError],
    [NUMBER, TypeError],
  ]),
  ...argumentRows("registerBackend(name, backend)", "backend", (v) => registerBackend("bad-input-row", o(v)), [
    [NUMBER, TypeError],
    [OBJECT, TypeError],
    [NULL, TypeError],
  ]),
  ...argumentRows("new CooperativeBackend(options)", "options", (v) => new CooperativeBackend(o(v)), [
    [NULL, TypeError],
    [NUMBER, TypeError],
    [ARRAY, TypeError],
  ]),
  misspelledRow("new CooperativeBackend(options)", (v) => new CooperativeBackend(o(v)), "sed", "seed"),
  ...argumentRows("new CooperativeBackend(options)", "seed", (seed) => new CooperativeBackend({ seed: o(seed) }), [
    [STRING, TypeError],
    [FRACTION, TypeError],
  ]),

  ...argumentRows("explore(scenario, options)", "scenario", (v) => explore(o(v)), [
    [NULL, TypeError],
    [NUMBER, TypeError],
  ]),
  ...argumentRows("explore(scenario, options)", "options", (v) => explore(noop, o(v)), [
    [NULL, TypeError],
    [ARRAY, TypeError],
  ]),
  misspelledRow("explore(scenario, options)", (v) => explore(noop, o(v)), "shedules", "schedules", 2),
  ...argumentRows("explore(scenario, options)", "schedules", (v) => explore(noop, { schedules: o(v) }), [
    [ZERO, ValueError],
    [STRING, TypeError],
    [FRACTION, TypeError],
  ]),
  ...argumentRows("explore(scenario, options)", "strategy", (v) => explore(noop, { strategy: o(v) }), [
    [{ value: "dfs", input: '"dfs"', received: '"dfs"' }, ValueError],
  ]),
  ...argumentRows("explore(scenario, options)", "depth", (v) => explore(noop, { depth: o(v) }), [
    [ZERO, ValueError],
  ]),
  ...argumentRows("replay(scenario, seed, options)", "seed", (v) => replay(noop, o(v)), [
    [STRING, TypeError],
    [UNDEFINED, TypeError],
  ]),
  misspelledRow("replay(scenario, seed, options)", (v) => replay(noop, 1, o(v)), "strategi", "strategy", "pct"),
  misspelledRow("replay(scenario, seed, options)", (v) => replay(noop, 1, o(v)), "schedules", undefined, 2),
  ...argumentRows("revive(value)", "@locksmith/threading", (v) => revive({ "@locksmith/threading": v }), [
    [NUMBER, TypeError],
    [NULL, TypeError],
  ]),

  ...argumentRows("startNewThread(fn, args, options)", "fn", (v) => startNewThread(o(v)), [
    [NULL, TypeError],
    [NUMBER, TypeError],
  ]),
  ...argumentRows("startNewThread(fn, args, options)", "args", (v) => startNewThread(noop, o(v)), [
    [STRING, TypeError],
  ]),
  ...optionsRows(
    "startNewThread(fn, args, options)",
    (options) => startNewThread(noop, [], o(options)),
    ["bakend", "backend", "async"],
  ),
  ...optionsRows("allocateLock(options)", (options) => allocateLock(o(options)), ["bakend", "backend", "async"]),
];
