/**
 * Contract: the rules of "Conventions that hold everywhere" (api.md) that
 * are not specific to one primitive, checked across every waiting call:
 * timeout parsing, already-aborted signals, `...Sync` twins on a backend
 * where the caller is the only thread, backend selection, and the registry
 * of pending waits and running threads.
 *
 * @module
 */
import {
  assert,
  assertEquals,
  assertRejects,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  type Backend,
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  currentThread,
  DeadlockError,
  Event,
  getBackend,
  getDefaultBackend,
  Lock,
  mainThread,
  monotonic,
  OverflowError,
  pendingWaits,
  RLock,
  runningThreads,
  Semaphore,
  setDefaultBackend,
  sleep,
  Thread,
  TIMEOUT_MAX,
  Timer,
  ValueError,
  type WaitOptions,
} from "@locksmith/threading";
import { backendNames } from "../../backends/mod.ts";
import { defineCases } from "./_suite.ts";

type Options = { readonly backend: Backend };
type ErrorClass = new (...args: never[]) => Error;

const targets = new URL("./_targets.ts", import.meta.url).href;

/** A started thread that ends once `event` is set. */
function waiterThread(options: Options, event: Event, name?: string): Thread {
  return new Thread({ ...options, name, target: { module: targets, export: "waitForEvent" }, args: [event] });
}

async function finishedThread(options: Options): Promise<Thread> {
  const t = new Thread(options);
  t.start();
  await t.join();
  return t;
}

/**
 * Every waiting call, on a primitive in a state where it would return at
 * once: a call that does not check its timeout resolves instead of
 * rejecting (it never hangs the case).
 */
interface WaitingCall {
  readonly name: string;
  /** With Python's positional timeout. */
  positional(options: Options, timeout: unknown): Promise<unknown>;
  /** With `{ timeout, ... }`. */
  withOptions(options: Options, wait: WaitOptions): Promise<unknown>;
}

/** Runs `fn` on a Condition whose lock the caller holds. */
async function holdingCondition<T>(options: Options, fn: (c: Condition) => Promise<T>): Promise<T> {
  const c = new Condition(undefined, options);
  await c.acquire();
  try {
    return await fn(c);
  } finally {
    c.release();
  }
}

const setEvent = (options: Options) => {
  const event = new Event(options);
  event.set();
  return event;
};
const t = (timeout: unknown) => timeout as number;

const WAITING_CALLS: readonly WaitingCall[] = [
  {
    name: "Lock.acquire",
    positional: (o, timeout) => new Lock(o).acquire(true, t(timeout)),
    withOptions: (o, wait) => new Lock(o).acquire(wait),
  },
  {
    name: "Lock.guard",
    positional: (o, timeout) => new Lock(o).guard({ timeout: t(timeout) }),
    withOptions: (o, wait) => new Lock(o).guard(wait),
  },
  {
    name: "RLock.acquire",
    positional: (o, timeout) => new RLock(o).acquire(true, t(timeout)),
    withOptions: (o, wait) => new RLock(o).acquire(wait),
  },
  {
    name: "Semaphore.acquire",
    positional: (o, timeout) => new Semaphore(1, o).acquire(true, t(timeout)),
    withOptions: (o, wait) => new Semaphore(1, o).acquire(wait),
  },
  {
    name: "BoundedSemaphore.guard",
    positional: (o, timeout) => new BoundedSemaphore(1, o).guard({ timeout: t(timeout) }),
    withOptions: (o, wait) => new BoundedSemaphore(1, o).guard(wait),
  },
  {
    name: "Event.wait",
    positional: (o, timeout) => setEvent(o).wait(t(timeout)),
    withOptions: (o, wait) => setEvent(o).wait(wait),
  },
  {
    name: "Condition.waitFor",
    positional: (o, timeout) => holdingCondition(o, (c) => c.waitFor(() => true, t(timeout))),
    withOptions: (o, wait) => holdingCondition(o, (c) => c.waitFor(() => true, wait)),
  },
  {
    // wait() always parks: a call that let a bad timeout through is ended by
    // the abort below, and rejects with the abort's reason instead.
    name: "Condition.wait",
    positional: (o, timeout) => conditionWait(o, { timeout: t(timeout) }),
    withOptions: (o, wait) => conditionWait(o, wait),
  },
  {
    name: "Barrier.wait",
    positional: (o, timeout) => new Barrier(1, undefined, undefined, o).wait(t(timeout)),
    withOptions: (o, wait) => new Barrier(1, undefined, undefined, o).wait(wait),
  },
  {
    name: "Thread.join",
    positional: async (o, timeout) => (await finishedThread(o)).join(t(timeout)),
    withOptions: async (o, wait) => (await finishedThread(o)).join(wait),
  },
];

const notTheTimeout = new Error("the wait parked instead of checking its timeout");

function conditionWait(options: Options, wait: WaitOptions): Promise<unknown> {
  return holdingCondition(options, (c) => {
    const controller = new AbortController();
    const waiting = c.wait({ ...wait, signal: controller.signal });
    controller.abort(notTheTimeout);
    return waiting;
  });
}

/** The `...Sync` twins, on a primitive in a state where they would return at once. */
const SYNC_CALLS: readonly { name: string; call(options: Options, timeout: unknown): Promise<unknown> | unknown }[] = [
  { name: "Lock.acquireSync", call: (o, timeout) => new Lock(o).acquireSync(true, t(timeout)) },
  { name: "RLock.acquireSync", call: (o, timeout) => new RLock(o).acquireSync(true, t(timeout)) },
  { name: "Semaphore.acquireSync", call: (o, timeout) => new Semaphore(1, o).acquireSync(true, t(timeout)) },
  { name: "Event.waitSync", call: (o, timeout) => setEvent(o).waitSync(t(timeout)) },
  {
    name: "Condition.waitForSync",
    call: (o, timeout) => holdingCondition(o, (c) => Promise.resolve(c.waitForSync(() => true, t(timeout)))),
  },
  { name: "Barrier.waitSync", call: (o, timeout) => new Barrier(1, undefined, undefined, o).waitSync(t(timeout)) },
  { name: "Thread.joinSync", call: async (o, timeout) => (await finishedThread(o)).joinSync(t(timeout)) },
];

/** Bad timeouts: the error class and what its message must quote. */
const BAD_TIMEOUTS: readonly [unknown, ErrorClass, string][] = [
  [-2, ValueError, "-2"],
  [-0.5, ValueError, "-0.5"],
  [-Infinity, ValueError, "-Infinity"],
  [NaN, ValueError, "NaN"],
  [TIMEOUT_MAX + 1, OverflowError, String(TIMEOUT_MAX + 1)],
  [Infinity, OverflowError, "Infinity"],
  ["10", TypeError, '"10"'],
  [true, TypeError, "true"],
];

/** Calls `fn`, which may throw or return a Promise, and returns what it threw or rejected with. */
async function failure(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

function checkError(error: unknown, expected: ErrorClass, quote: string, where: string): void {
  assert(error instanceof expected, `${where}: expected ${expected.name}, got ${String(error)}`);
  const message = (error as Error).message;
  assertStringIncludes(message, "timeout", where);
  assertStringIncludes(message, quote, where);
}

/** Whether `promise` is still pending after `ms` (a generous wait for it to settle if it would). */
async function stillPending(promise: Promise<unknown>, sleepMs: (ms: number) => Promise<void>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await sleepMs(20);
  return !settled;
}

export const contractCases = defineCases([
  {
    name: "Contract: a negative (not -1), NaN, too large or non-number timeout is an error in every waiting call",
    fn: async ({ options }) => {
      for (const call of WAITING_CALLS) {
        for (const [timeout, expected, quote] of BAD_TIMEOUTS) {
          const where = `${call.name}(${String(timeout)})`;
          checkError(await failure(() => call.positional(options, timeout)), expected, quote, where);
          checkError(
            await failure(() => call.withOptions(options, { timeout: t(timeout) })),
            expected,
            quote,
            `${where} as an option`,
          );
        }
      }
    },
  },
  {
    name: "Contract: the ...Sync twins check their timeout the same way",
    fn: async ({ options }) => {
      for (const call of SYNC_CALLS) {
        for (const [timeout, expected, quote] of BAD_TIMEOUTS) {
          checkError(await failure(() => call.call(options, timeout)), expected, quote, `${call.name}(${timeout})`);
        }
      }
    },
  },
  {
    name: "Contract: a timeout of exactly TIMEOUT_MAX, or undefined, null or -1, is accepted everywhere",
    fn: async ({ options }) => {
      for (const call of WAITING_CALLS) {
        if (call.name === "Condition.wait") continue; // it always parks; checked below
        for (const timeout of [TIMEOUT_MAX, undefined, null, -1, 0, 1.5]) {
          const where = `${call.name}(${String(timeout)})`;
          assertEquals(await failure(() => call.positional(options, timeout)), undefined, where);
          assertEquals(await failure(() => call.withOptions(options, { timeout: t(timeout) })), undefined, where);
        }
      }
      for (const call of SYNC_CALLS) {
        for (const timeout of [TIMEOUT_MAX, undefined, null, -1, 0]) {
          assertEquals(await failure(() => call.call(options, timeout)), undefined, `${call.name}(${timeout})`);
        }
      }
    },
  },
  {
    name: "Contract: undefined, null and -1 wait forever, until the primitive is free",
    fn: async (ctx) => {
      const { options } = ctx;
      const forms: [string, (timeout: number | null | undefined) => number | WaitOptions | null | undefined][] = [
        ["positional", (timeout) => timeout],
        ["option", (timeout) => ({ timeout })],
      ];
      for (const forever of [undefined, null, -1]) {
        for (const [form, arg] of forms) {
          const where = `${String(forever)} (${form})`;
          const lock = new Lock(options);
          await lock.acquire();
          const a = arg(forever);
          const acquiring = typeof a === "object" && a !== null ? lock.acquire(a) : lock.acquire(true, a);
          assert(await stillPending(acquiring, ctx.sleep), `Lock.acquire ${where} did not wait`);
          lock.release();
          assertEquals(await acquiring, true);
          lock.release();

          const sem = new Semaphore(0, options);
          const s = arg(forever);
          const taking = typeof s === "object" && s !== null ? sem.acquire(s) : sem.acquire(true, s);
          assert(await stillPending(taking, ctx.sleep), `Semaphore.acquire ${where} did not wait`);
          sem.release();
          assertEquals(await taking, true);

          const event = new Event(options);
          const waiting = event.wait(arg(forever));
          assert(await stillPending(waiting, ctx.sleep), `Event.wait ${where} did not wait`);
          event.set();
          assertEquals(await waiting, true);

          const cond = new Condition(undefined, options);
          await cond.acquire();
          const notified = cond.wait(arg(forever));
          assert(await stillPending(notified, ctx.sleep), `Condition.wait ${where} did not wait`);
          await cond.acquire();
          cond.notify();
          cond.release();
          assertEquals(await notified, true);
          cond.release();

          const barrier = new Barrier(2, undefined, undefined, options);
          const first = barrier.wait(arg(forever));
          assert(await stillPending(first, ctx.sleep), `Barrier.wait ${where} did not wait`);
          const indexes = [await barrier.wait(), await first];
          assertEquals(indexes.sort(), [0, 1]);

          const done = new Event(options);
          const thread = waiterThread(options, done);
          thread.start();
          const joining = thread.join(arg(forever));
          assert(await stillPending(joining, ctx.sleep), `Thread.join ${where} did not wait`);
          done.set();
          await joining;
          assertEquals(thread.isAlive(), false);
        }
      }
    },
  },
  {
    name: "Contract: acquire with blocking = false and a timeout is a ValueError; without one it tries once",
    fn: async ({ options }) => {
      const makers: [string, () => Lock | RLock | Semaphore][] = [
        ["Lock", () => new Lock(options)],
        ["RLock", () => new RLock(options)],
        ["Semaphore", () => new Semaphore(1, options)],
      ];
      for (const [name, make] of makers) {
        const lock = make();
        const positional = await assertRejects(() => lock.acquire(false, 5), ValueError);
        assertStringIncludes(positional.message, "blocking", name);
        assertStringIncludes(positional.message, "5", name);
        await assertRejects(() => lock.acquire({ blocking: false, timeout: 5 }), ValueError);
        assertThrows(() => lock.acquireSync(false, 5), ValueError);
        assertThrows(() => lock.acquireSync(false, 0), ValueError);
        for (const forever of [undefined, null, -1]) {
          const free = make();
          assertEquals(await free.acquire(false, forever), true, `${name}.acquire(false, ${forever})`);
          assertEquals(await free.acquire({ blocking: false, timeout: forever }), name === "RLock", name);
          assertEquals(free.acquireSync(false, forever), name === "RLock", name);
        }
      }
    },
  },
  {
    name: "Contract: an already-aborted signal rejects with its reason before any other check",
    fn: async ({ options }) => {
      const reason = new Error("aborted first");
      const signal = AbortSignal.abort(reason);
      const bad = { signal, timeout: -5 };
      const lock = new Lock(options);
      const rlock = new RLock(options);
      const sem = new Semaphore(1, options);
      const barrier = new Barrier(1, undefined, undefined, options);
      const cond = new Condition(undefined, options); // not held: wait() would be a RuntimeError
      const calls: [string, () => Promise<unknown>][] = [
        ["Lock.acquire", () => lock.acquire(bad)],
        ["Lock.acquire non-blocking with a timeout", () => lock.acquire({ signal, blocking: false, timeout: 5 })],
        ["Lock.acquire with a non-number timeout", () => lock.acquire({ signal, timeout: "x" as never })],
        ["Lock.guard", () => lock.guard(bad)],
        ["RLock.acquire", () => rlock.acquire(bad)],
        ["RLock.guard", () => rlock.guard(bad)],
        ["Semaphore.acquire", () => sem.acquire(bad)],
        ["Semaphore.guard", () => sem.guard(bad)],
        ["Event.wait on a set event", () => setEvent(options).wait(bad)],
        ["Condition.wait without the lock", () => cond.wait(bad)],
        ["Condition.waitFor without the lock", () => cond.waitFor(() => true, bad)],
        ["Condition.guard", () => cond.guard(bad)],
        ["Barrier.wait of the last party", () => barrier.wait(bad)],
        ["Thread.join of an unstarted thread", () => new Thread(options).join(bad)],
        ["Thread.join of the current thread", () => currentThread().join(bad)],
        ["Thread.join of an ended thread", async () => (await finishedThread(options)).join(bad)],
        ["sleep(-1)", () => sleep(-1, { ...options, signal })],
        ["sleep(0)", () => sleep(0, { ...options, signal })],
      ];
      for (const [name, call] of calls) {
        assertStrictEquals(await failure(call), reason, name);
      }
      // Nothing changed.
      assertEquals(lock.locked(), false);
      assertEquals(rlock.locked(), false);
      assertEquals(sem.value, 1);
      assertEquals(barrier.nWaiting, 0);
      assertEquals(barrier.broken, false);
      assertEquals(cond.locked(), false);
      // The default reason of abort() is passed through as it is, too.
      const controller = new AbortController();
      controller.abort();
      assertStrictEquals(
        await failure(() => new Event(options).wait({ signal: controller.signal })),
        controller.signal.reason,
      );
      assertStrictEquals(
        await failure(() => mainThread().join({ signal: controller.signal })),
        controller.signal.reason,
      );
    },
  },
  {
    name: "Contract: a signal aborted mid-wait leaves no waiter behind to swallow a later wake-up",
    fn: async (ctx) => {
      const { options } = ctx;
      const lock = new Lock(options);
      await lock.acquire();
      const controller = new AbortController();
      const reason = new Error("gave up");
      const quitter = lock.acquire({ signal: controller.signal });
      const stayer = lock.acquire();
      await ctx.settle();
      controller.abort(reason);
      assertStrictEquals(await failure(() => quitter), reason);
      lock.release(); // must go to the stayer, not to the aborted waiter
      assertEquals(await stayer, true);
      lock.release();

      const sem = new Semaphore(0, options);
      const semController = new AbortController();
      const semQuitter = sem.acquire({ signal: semController.signal });
      const semStayer = sem.acquire();
      await ctx.settle();
      semController.abort(reason);
      assertStrictEquals(await failure(() => semQuitter), reason);
      sem.release();
      assertEquals(await semStayer, true);
      assertEquals(sem.value, 0);
      assertEquals(pendingWaits(), []);
    },
  },
  {
    name: "Contract: a ...Sync twin that would wait returns false (finite) or throws DeadlockError (forever)",
    fn: async ({ backend, options }) => {
      const lock = new Lock(options);
      await lock.acquire();
      const sem = new Semaphore(0, options);
      const event = new Event(options);
      const cond = new Condition(undefined, options);
      await cond.acquire();
      // A finite or non-blocking wait gives up (at once where nothing else could run meanwhile).
      assertEquals(lock.acquireSync(false), false);
      assertEquals(lock.acquireSync(true, 5), false);
      assertEquals(sem.acquireSync(false), false);
      assertEquals(sem.acquireSync(true, 5), false);
      assertEquals(event.waitSync(5), false);
      assertEquals(cond.waitSync(5), false);
      assertEquals(cond.locked(), true, "the lock is held again after waitSync");
      assertThrows(() => new Barrier(2, undefined, undefined, options).waitSync(5), BrokenBarrierError);
      if (!backend.capabilities.blockingWait) {
        // Nothing else can run while this thread blocks: a wait forever is a deadlock, named.
        const name = currentThread().name;
        for (const forever of [undefined, null, -1]) {
          const calls: [string, () => unknown][] = [
            ["Lock.acquireSync", () => lock.acquireSync(true, forever)],
            ["Semaphore.acquireSync", () => sem.acquireSync(true, forever)],
            ["Event.waitSync", () => event.waitSync(forever)],
            ["Condition.waitSync", () => cond.waitSync(forever)],
            ["Barrier.waitSync", () => new Barrier(2, undefined, undefined, options).waitSync(forever)],
          ];
          for (const [what, call] of calls) {
            const error = assertThrows(call, DeadlockError, undefined, `${what}(${forever})`);
            assertStringIncludes(error.message, name, what);
          }
        }
        assertEquals(cond.locked(), true, "the lock is still held after a DeadlockError");
        assertEquals(lock.locked(), true);
      }
      cond.release();
      lock.release();
      assertEquals(pendingWaits(), []);
    },
  },
  {
    name: "Contract: { backend } takes a backend object or a registered name; an unknown one is a TypeError",
    fn: async ({ backend, options }) => {
      const releaseSum = { module: targets, export: "releaseSum" };
      const makers: [string, (o: { backend: unknown }) => { backend: Backend }][] = [
        ["Lock", (o) => new Lock(o as Options)],
        ["RLock", (o) => new RLock(o as Options)],
        ["Condition", (o) => new Condition(undefined, o as Options)],
        ["Semaphore", (o) => new Semaphore(1, o as Options)],
        ["BoundedSemaphore", (o) => new BoundedSemaphore(1, o as Options)],
        ["Event", (o) => new Event(o as Options)],
        ["Barrier", (o) => new Barrier(1, undefined, undefined, o as Options)],
        ["Thread", (o) => new Thread(o as Options)],
        ["Timer", (o) => new Timer(1, releaseSum, [], o as Options)],
      ];
      const names = backendNames();
      assert(names.includes("async"), String(names));
      for (const [kind, make] of makers) {
        assertStrictEquals(make(options).backend, backend, kind);
        assertStrictEquals(make({ backend: "async" }).backend, getBackend("async"), kind);
        const error = assertThrows(() => make({ backend: "no-such-backend" }), TypeError, undefined, kind);
        assertStringIncludes(error.message, "'no-such-backend'");
        for (const name of names) assertStringIncludes(error.message, `'${name}'`);
        assertThrows(() => make({ backend: {} }), TypeError, undefined, kind);
        assertThrows(() => make({ backend: 42 }), TypeError, undefined, kind);
      }
      assertEquals(getBackend("async").name, "async");
      assertThrows(() => monotonic({ backend: "no-such-backend" }), TypeError);
      await assertRejects(() => sleep(1, { backend: "no-such-backend" }), TypeError);
    },
  },
  {
    name: "Contract: setDefaultBackend() chooses the backend of primitives made without one",
    fn: ({ backend }) => {
      const previous = getDefaultBackend();
      try {
        setDefaultBackend(backend);
        assertStrictEquals(getDefaultBackend(), backend);
        assertStrictEquals(new Lock().backend, backend);
        assertStrictEquals(new Event().backend, backend);
        assertStrictEquals(new Thread().backend, backend);
        setDefaultBackend("async");
        assertStrictEquals(getDefaultBackend(), getBackend("async"));
        assertEquals(new Semaphore().backend.name, "async");
        assertThrows(() => setDefaultBackend("no-such-backend"), TypeError, "'async'");
        assertThrows(() => setDefaultBackend({} as never), TypeError);
        assertStrictEquals(getDefaultBackend(), getBackend("async"), "a failed set changes nothing");
      } finally {
        setDefaultBackend(previous);
      }
      assertStrictEquals(getDefaultBackend(), previous);
    },
  },
  {
    name: "Contract: pendingWaits() and runningThreads() list what waits and runs, and are empty after",
    fn: async (ctx) => {
      const { backend, options } = ctx;
      assertEquals(pendingWaits(), []);
      assertEquals(runningThreads(), []);
      const event = new Event(options);
      const lock = new Lock(options);
      await lock.acquire();
      const controller = new AbortController();
      const waits = [event.wait(), lock.acquire(), sleep(60_000, { ...options, signal: controller.signal })];
      const done = new Event(options);
      const thread = waiterThread(options, done, "registry-thread");
      thread.start();
      await ctx.settle();
      assertEquals(runningThreads(), ["registry-thread"]);
      const mine = pendingWaits().filter((w) => w.thread === currentThread().name);
      assertEquals(mine.map((w) => w.op), ["wait", "acquire", "sleep"]);
      assertEquals(mine.map((w) => w.backend), [backend.name, backend.name, backend.name]);
      assertEquals(mine[0].subject, event.label);
      assertEquals(mine[1].subject, lock.label);
      // A timed-out wait and an aborted one leave nothing behind.
      assertEquals(await new Event(options).wait(1), false);
      event.set();
      lock.release();
      controller.abort(new Error("stop"));
      const outcomes = await Promise.allSettled(waits);
      assertEquals(outcomes.map((o) => o.status), ["fulfilled", "fulfilled", "rejected"]);
      lock.release();
      done.set();
      await thread.join();
      assertEquals(pendingWaits(), []);
      assertEquals(runningThreads(), []);
    },
  },
]);
