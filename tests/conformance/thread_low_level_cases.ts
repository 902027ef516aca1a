/**
 * `_thread`: the low-level API (Python's `_thread` module, as
 * `Lib/test/test_thread.py` exercises it): `startNewThread`,
 * `allocateLock`, `exitThread`, `getIdent` and `interruptMain`.
 *
 * `interruptMain` is implemented by the `async` backend's parking lot (see
 * its doc): its cases wait on `async` primitives whatever the backend under
 * test.
 *
 * @module
 */
import { assert, assertEquals, assertInstanceOf, assertNotEquals, assertRejects, assertThrows } from "@std/assert";
import { Event, Lock, pendingWaits, runningThreads, Semaphore, sleep, Thread } from "../../mod.ts";
import {
  allocateLock,
  exitThread,
  getIdent,
  interruptMain,
  KeyboardInterrupt,
  LockType,
  startNewThread,
  SystemExit,
} from "../../_thread.ts";
import { type CaseContext, defineCases } from "./_suite.ts";

const SHARED_TARGETS = new URL("./_targets.ts", import.meta.url).href;

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
    name: "_thread: interruptMain raises KeyboardInterrupt in the main thread's wait",
    fn: async () => {
      const never = new Event({ backend: "async" });
      const t = new Thread({ backend: "async", target: () => interruptMain() });
      t.start();
      const error = await assertRejects(() => never.wait(), KeyboardInterrupt);
      assert(error.message.includes("interruptMain"), error.message);
      await t.join();
      assertEquals(pendingWaits(), []);
      // Consumed: the next wait is not interrupted.
      assertEquals(await never.wait(5), false);
    },
  },
  {
    name: "_thread: interruptMain raises at the main thread's next wait when none is parked, once",
    fn: async () => {
      const lock = new Lock({ backend: "async" });
      await lock.acquire();
      interruptMain(); // from the main thread itself: nothing is parked now
      assertEquals(lock.acquireSync(false), false); // not a wait: not interrupted
      await assertRejects(() => sleep(1, { backend: "async" }), KeyboardInterrupt);
      assertEquals(await lock.acquire(true, 5), false); // consumed
      lock.release();
      // Pending for the main thread, it is not raised in another thread's wait.
      interruptMain();
      let otherSlept = false;
      const other = new Thread({
        backend: "async",
        target: async () => {
          await sleep(1, { backend: "async" });
          otherSlept = true;
        },
      });
      other.start();
      await new Promise((resolve) => setTimeout(resolve, 50)); // not a wait of the library
      assertEquals(otherSlept, true);
      await assertRejects(() => other.join(), KeyboardInterrupt); // the main thread's next wait
      await other.join();
    },
  },
]);
