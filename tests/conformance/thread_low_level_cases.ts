/**
 * `_thread`: the low-level API (Python's `_thread` module, as
 * `Lib/test/test_thread.py` exercises it): `startNewThread`,
 * `allocateLock`, `exitThread`, `getIdent` and `interruptMain`.
 *
 * The `interruptMain` cases wait on primitives of the backend under test,
 * and the interrupting thread is a module reference: on `atomics` it is a
 * Worker, which reaches the main thread through the shared heap.
 *
 * @module
 */
import { assert, assertEquals, assertInstanceOf, assertNotEquals, assertRejects, assertThrows } from "@std/assert";
import {
  Condition,
  Event,
  explore,
  Lock,
  pendingWaits,
  replay,
  runningThreads,
  Semaphore,
  Thread,
  yieldNow,
} from "@locksmith/threading";
import {
  allocateLock,
  exitThread,
  getIdent,
  interruptMain,
  KeyboardInterrupt,
  LockType,
  startNewThread,
  SystemExit,
} from "@locksmith/threading/_thread";
import { type CaseContext, defineCases } from "./_suite.ts";

const SHARED_TARGETS = new URL("./_targets.ts", import.meta.url).href;
const INTERRUPT_TARGETS = new URL("./_interrupt_targets.ts", import.meta.url).href;

/** Sleeps on the backend's clock until `done()` holds; fails rather than hang. */
async function until(ctx: CaseContext, done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await ctx.sleep(2);
  if (!done()) throw new Error(`Gave up waiting until ${what}`);
}

export const threadLowLevelCases = defineCases([
  {
    name: "_thread: startNewThread runs the function with its args and returns the thread's ident",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const done = allocateLock(ctx.options);
      await done.acquire();
      const seen: unknown[] = [];
      const ident = startNewThread(
        async (a: number, b: string) => {
          seen.push(a, b, getIdent());
          await ctx.sleep(1);
          done.release();
        },
        [1, "two"],
        ctx.options,
      );
      assertEquals(typeof ident, "number");
      assertNotEquals(ident, getIdent());
      await done.acquire();
      done.release();
      assertEquals(seen, [1, "two", ident]);
      await until(ctx, () => runningThreads().length === 0, "the thread ends");
    },
  },
  {
    name: "_thread: startNewThread takes a module reference",
    fn: async (ctx) => {
      const sem = new Semaphore(0, ctx.options);
      const ident = startNewThread({ module: SHARED_TARGETS, export: "releaseSum" }, [sem, 1, 2], ctx.options);
      assertEquals(typeof ident, "number");
      assertEquals(await sem.acquire({ timeout: 10_000 }), true);
      // On a parallel backend the release of 3 may still be adding permits when our acquire returns.
      await until(ctx, () => runningThreads().length === 0, "the thread ends");
      assertEquals(sem.value, 2);
    },
  },
  {
    name: "_thread: startNewThread checks its arguments",
    fn: ({ options }) => {
      assertThrows(() => startNewThread(() => {}, "args" as never, options), TypeError);
      assertThrows(() => startNewThread(42 as never, [], options), TypeError);
      assertEquals(runningThreads(), []);
    },
  },
  {
    name: "_thread: allocateLock returns an unlocked LockType",
    fn: async ({ options }) => {
      const lock = allocateLock(options);
      assertInstanceOf(lock, LockType);
      assertInstanceOf(lock, Lock);
      assertEquals(lock.locked(), false);
      assertEquals(await lock.acquire(), true);
      assertEquals(await lock.acquire(false), false);
      lock.release();
      assertEquals(lock.backend, options.backend);
    },
  },
  {
    name: "_thread: exitThread ends the thread quietly, after its finally blocks",
    fn: async (ctx) => {
      const steps: string[] = [];
      const bunch = ctx.bunch(() => {
        try {
          steps.push("work");
          exitThread();
        } finally {
          steps.push("cleanup");
        }
      });
      await bunch.join();
      assertEquals(steps, ["work", "cleanup"]);
      // The runner checks that nothing reached the excepthook.
      const cleanedUp = new Event(ctx.options);
      startNewThread({ module: SHARED_TARGETS, export: "exitQuietly" }, [cleanedUp], ctx.options);
      assertEquals(await cleanedUp.wait(10_000), true);
      await until(ctx, () => runningThreads().length === 0, "the thread ends");
      const error = assertThrows(() => exitThread(), SystemExit);
      assertEquals(error.code, 0);
    },
  },
  {
    name: "_thread: getIdent differs between live threads",
    fn: async (ctx) => {
      const idents: number[] = [];
      const gate = new Event(ctx.options);
      const bunch = ctx.bunch(async () => {
        idents.push(getIdent());
        await gate.wait();
      }, 3);
      await until(ctx, () => idents.length === 3, "three threads run");
      gate.set();
      await bunch.join();
      assertEquals(new Set([...idents, getIdent()]).size, 4);
    },
  },
  {
    name: "_thread: interruptMain from another thread ends the main thread's parked Event wait",
    fn: async (ctx) => {
      const never = new Event(ctx.options);
      const ready = new Event(ctx.options);
      startNewThread({ module: INTERRUPT_TARGETS, export: "interruptAfter" }, [ready, 50], ctx.options);
      await ready.wait();
      // A generous timeout: a missed interrupt resolves false then, and the assertion fails.
      const error = await assertRejects(() => never.wait(30_000), KeyboardInterrupt);
      assert(error.message.includes("interruptMain"), error.message);
      await until(ctx, () => runningThreads().length === 0, "the thread ends");
      // Raised once: the next wait is not interrupted, and the event still works.
      assertEquals(await never.wait(5), false);
      never.set();
      assertEquals(await never.wait(), true);
    },
  },
  {
    name: "_thread: an interrupted Lock waiter leaves the queue, and the release goes to the next waiter",
    fn: async (ctx) => {
      const lock = new Lock(ctx.options);
      const [held, go, release] = [new Event(ctx.options), new Event(ctx.options), new Event(ctx.options)];
      startNewThread(
        { module: INTERRUPT_TARGETS, export: "interruptWhileHolding" },
        [lock, held, go, release, 50],
        ctx.options,
      );
      await held.wait();
      let otherGotIt = false;
      const other = ctx.bunch(async () => {
        assertEquals(await lock.acquire(), true);
        otherGotIt = true;
        lock.release();
      });
      await ctx.settle(); // the other thread queues first
      go.set(); // no wait of the main thread between this and its acquire
      await assertRejects(() => lock.acquire(true, 30_000), KeyboardInterrupt);
      assertEquals(otherGotIt, false);
      release.set();
      await other.join();
      assertEquals(otherGotIt, true);
      await until(ctx, () => runningThreads().length === 0, "the thread ends");
      assertEquals(lock.locked(), false);
      assertEquals(await lock.acquire(true, 1_000), true);
      lock.release();
    },
  },
  {
    name: "_thread: interruptMain in a Condition wait re-acquires the lock before raising",
    fn: async (ctx) => {
      const lock = new Lock(ctx.options);
      const cond = new Condition(lock, ctx.options);
      await cond.acquire();
      // The thread can take the lock only once the main thread waits (and so released it).
      startNewThread({ module: INTERRUPT_TARGETS, export: "interruptWhenReleased" }, [lock], ctx.options);
      await assertRejects(() => cond.wait(30_000), KeyboardInterrupt);
      // Held again by the main thread, as after any wait.
      assertEquals(lock.locked(), true);
      assertEquals(await lock.acquire(false), false);
      cond.notify(); // the interrupted waiter is gone: nothing to wake, nothing to swallow
      assertEquals(await cond.wait(5), false);
      cond.release();
      await until(ctx, () => runningThreads().length === 0, "the thread ends");
    },
  },
  {
    name: "_thread: interruptMain ends a blocking waitSync of the main thread",
    needs: ["blockingWait"],
    fn: async (ctx) => {
      const never = new Event(ctx.options);
      const ready = new Event(ctx.options);
      startNewThread({ module: INTERRUPT_TARGETS, export: "interruptAfter" }, [ready, 50], ctx.options);
      await ready.wait();
      // A generous timeout: a missed interrupt returns false then, and the assertion fails.
      assertThrows(() => never.waitSync(30_000), KeyboardInterrupt);
      await until(ctx, () => runningThreads().length === 0, "the thread ends");
      assertEquals(never.waitSync(5), false);
    },
  },
  {
    name: "_thread: interruptMain with no wait parked raises at the main thread's next wait, once",
    fn: async (ctx) => {
      const lock = new Lock(ctx.options);
      await lock.acquire();
      interruptMain(); // from the main thread itself: nothing is parked now
      interruptMain(); // still one interrupt, as in Python
      assertEquals(lock.acquireSync(false), false); // not a wait: not interrupted
      assertEquals(await lock.acquire(false), false);
      await assertRejects(() => ctx.sleep(1), KeyboardInterrupt);
      assertEquals(await lock.acquire(true, 5), false); // consumed
      // A blocking wait raises it too.
      interruptMain();
      assertThrows(() => lock.acquireSync(true, 5), KeyboardInterrupt);
      assertEquals(lock.acquireSync(true, 5), false);
      lock.release();
    },
  },
  {
    name: "_thread: a pending interrupt of the main thread is not raised in another thread's wait",
    fn: async (ctx) => {
      interruptMain();
      let otherSlept = false;
      const other = ctx.bunch(async () => {
        await ctx.sleep(1);
        otherSlept = true;
      });
      // Not a wait of the library: the other thread runs meanwhile.
      for (let i = 0; i < 500 && !otherSlept; i++) await new Promise((resolve) => setTimeout(resolve, 2));
      assertEquals(otherSlept, true);
      await assertRejects(() => other.join(), KeyboardInterrupt); // the main thread's next wait
      await other.join();
    },
  },
  {
    name: "_thread: interruptMain in an explored schedule is raised at the same step for the same seed",
    needs: ["virtualTime"],
    fn: async () => {
      const outcomes: string[] = [];
      const scenario = async () => {
        const never = new Event();
        const lock = new Lock();
        const t = new Thread({
          target: async () => {
            await lock.acquire();
            await yieldNow();
            lock.release();
            interruptMain();
          },
        });
        t.start();
        await lock.acquire();
        lock.release();
        await assertRejects(() => never.wait(), KeyboardInterrupt);
        await t.join();
        outcomes.push("interrupted");
      };
      const result = await explore(scenario, { schedules: 20 });
      assertEquals(result, { ok: true, schedules: 20 });
      assertEquals(outcomes.length, 20);
      for (const seed of [3, 11]) {
        const first = await replay(scenario, seed);
        const again = await replay(scenario, seed);
        assertEquals(first.ok, true);
        assertEquals(again.trace, first.trace);
        assert(first.trace.some((line) => line.includes("MainThread: is interrupted")), first.trace.join("\n"));
      }
      assertEquals(pendingWaits(), []);
    },
  },
]);
