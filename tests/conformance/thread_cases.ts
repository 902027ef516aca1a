/**
 * Thread: CPython's `ThreadTests`, `ThreadingExceptionTests` and
 * `ExceptHookTests` (Lib/test/test_threading.py), the module functions of
 * `threading`, and the contract's rules for threads, time and
 * `synchronized`.
 *
 * Cases that need a function target (or a subclass overriding `run()`)
 * declare `functionTargets`; the others use module targets from
 * `_targets.ts`, which every backend accepts.
 *
 * @module
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertNotStrictEquals,
  assertRejects,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  activeCount,
  type Backend,
  BoundedSemaphore,
  currentThread,
  DeadlockError,
  enumerate,
  Event,
  type ExceptHook,
  excepthook,
  type ExceptHookArgs,
  getExcepthook,
  getIdent,
  getNativeId,
  getProfile,
  getTrace,
  Lock,
  mainThread,
  monotonic,
  OverflowError,
  RLock,
  RuntimeError,
  Semaphore,
  setExcepthook,
  setProfile,
  setTrace,
  sleep,
  stackSize,
  synchronized,
  SystemExit,
  Thread,
  TIMEOUT_MAX,
  ValueError,
} from "@locksmith/threading";
import { defineCases } from "./_suite.ts";
import { captureStderr } from "./_stderr.ts";

const targets = new URL("./_targets.ts", import.meta.url).href;

/** Runs `fn` with `hook` as the excepthook, then puts the previous hook back. */
async function withExcepthook(hook: ExceptHook, fn: () => Promise<void>): Promise<void> {
  const previous = getExcepthook();
  setExcepthook(hook);
  try {
    await fn();
  } finally {
    setExcepthook(previous);
  }
}

/** A thread that waits on `event` (a module target, so it runs on every backend). */
function waiterThread(options: { readonly backend: Backend }, event: Event, name?: string): Thread {
  return new Thread({
    ...options,
    name,
    target: { module: targets, export: "waitForEvent" },
    args: [event],
  });
}

export const threadCases = defineCases([
  // --- Targets and run() ---
  {
    name: "Thread: a function target runs in the thread with its args",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      const calls: unknown[][] = [];
      let ranIn: Thread | undefined;
      const t = new Thread({
        ...options,
        target: (n: number, s: string, list: number[], pair: [number]) => {
          ranIn = currentThread();
          calls.push([n, s, list, pair]);
        },
        args: [1, "str", [1], [2]],
      });
      t.start();
      await t.join();
      assertEquals(calls, [[1, "str", [1], [2]]]);
      assertStrictEquals(ranIn, t);
    },
  },
  {
    name: "Thread: a thread without a target runs nothing and ends",
    fn: async ({ options }) => {
      const t = new Thread(options);
      t.start();
      await t.join();
      assertEquals(t.isAlive(), false);
    },
  },
  {
    name: "Thread: a subclass overrides run() (test_various_ops: at most 3 of 10 inside a BoundedSemaphore(3))",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      const sema = new BoundedSemaphore(3, options);
      const mutex = new RLock(options);
      let running = 0;
      let most = 0;
      class TestThread extends Thread {
        constructor(name: string, readonly delay: number) {
          super({ ...options, name });
        }
        override async run() {
          using _ = await sema.guard();
          {
            using _m = await mutex.guard();
            running++;
            most = Math.max(most, running);
          }
          await sleep(this.delay, options);
          {
            using _m = await mutex.guard();
            running--;
          }
        }
      }
      const threads = Array.from({ length: 10 }, (_, i) => new TestThread(`<thread ${i}>`, 1 + (i % 3)));
      for (const t of threads) {
        assertEquals(t.ident, null);
        assertMatch(String(t), /^<TestThread\(<thread \d>, initial\)>$/);
        t.start();
        assertMatch(String(t), /^<TestThread\(<thread \d>, started \d+\)>$/);
      }
      for (const t of threads) {
        await t.join();
        assertEquals(t.isAlive(), false);
        assert(t.ident !== null);
        assertMatch(String(t), /^<TestThread\(<thread \d>, stopped/);
      }
      assertEquals(running, 0);
      assertEquals(most, 3);
    },
  },
  {
    name: "Thread: an async run() keeps the thread alive until it settles",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const event = new Event(ctx.options);
      class Waiter extends Thread {
        result = "";
        override async run() {
          await event.wait();
          await ctx.sleep(1);
          this.result = "done";
        }
      }
      const t = new Waiter(ctx.options);
      t.start();
      await ctx.settle();
      assertEquals(t.isAlive(), true);
      event.set();
      await t.join();
      assertEquals(t.isAlive(), false);
      assertEquals(t.result, "done");
    },
  },
  {
    name: "Thread: a module target { module, export } runs with its args",
    fn: async ({ options }) => {
      const sem = new Semaphore(0, options);
      const t = new Thread({ ...options, target: { module: targets, export: "releaseSum" }, args: [sem, 2, 3] });
      t.start();
      await t.join();
      assertEquals(sem.value, 5);
      // The module may also be a URL object.
      const event = new Event(options);
      const u = new Thread({
        ...options,
        target: { module: new URL("./_targets.ts", import.meta.url), export: "setEvent" },
        args: [event],
      });
      u.start();
      await u.join();
      assertEquals(event.isSet(), true);
    },
  },
  {
    name: "Thread: a module export that is not a function reaches the excepthook as a TypeError",
    allowsEscapes: true,
    fn: async (ctx) => {
      const t = new Thread({ ...ctx.options, target: { module: targets, export: "notAFunction" } });
      t.start();
      await t.join();
      assertEquals(ctx.escaped.length, 1);
      const error = ctx.escaped[0] as Error;
      assertEquals(error.name, "TypeError");
      assertStringIncludes(error.message, "notAFunction");
    },
  },
  {
    name: "Thread: bad targets and args are a TypeError; a function target needs a backend that runs functions",
    fn: async ({ backend, options }) => {
      const bad = [42, "fn", { module: targets }, { export: "setEvent" }];
      for (const target of bad) {
        const error = assertThrows(() => new Thread({ ...options, target: target as never }), TypeError);
        assertStringIncludes(error.message, "target");
      }
      assertThrows(() => new Thread({ ...options, args: "abc" as never }), TypeError, "args");
      if (backend.capabilities.functionTargets) {
        let ran = false;
        const t = new Thread({
          ...options,
          target: () => {
            ran = true;
          },
        });
        t.start();
        await t.join();
        assertEquals(ran, true);
      } else {
        const error = assertThrows(() => new Thread({ ...options, target: function work() {} }), TypeError);
        assertStringIncludes(error.message, "module");
        assertStringIncludes(error.message, "work");
      }
    },
  },

  // --- Names, daemon ---
  {
    name: "Thread: default names are Thread-N (target), counting up; a given name wins",
    needs: ["functionTargets"],
    fn: ({ options }) => {
      function func() {}
      const a = new Thread({ ...options, target: func });
      const b = new Thread({ ...options, target: func });
      const n = Number(/^Thread-(\d+) \(func\)$/.exec(a.name)?.[1]);
      assert(Number.isInteger(n), a.name);
      assertEquals(b.name, `Thread-${n + 1} (func)`);
      assertEquals(new Thread({ ...options, target: func, name: "myname2" }).name, "myname2");
      const anonymous = [() => {}][0];
      assertEquals(anonymous.name, "");
      assertMatch(new Thread({ ...options, target: anonymous }).name, /^Thread-\d+$/);
    },
  },
  {
    name: "Thread: default names without a function target are Thread-N",
    fn: ({ options }) => {
      assertEquals(new Thread({ ...options, name: "myname1" }).name, "myname1");
      const plain = new Thread(options);
      const n = Number(/^Thread-(\d+)$/.exec(plain.name)?.[1]);
      assert(Number.isInteger(n), plain.name);
      const moduleTarget = new Thread({ ...options, target: { module: targets, export: "setEvent" } });
      assertEquals(moduleTarget.name, `Thread-${n + 1}`);
      // An empty name means the default, as in Python.
      assertMatch(new Thread({ ...options, name: "" }).name, /^Thread-\d+$/);
    },
  },
  {
    name: "Thread: name and daemon can be set before start; daemon after start is a RuntimeError",
    fn: async ({ options }) => {
      const t = new Thread(options);
      assertEquals(t.daemon, false);
      assertEquals(new Thread({ ...options, daemon: false }).daemon, false);
      assertEquals(new Thread({ ...options, daemon: true }).isDaemon(), true);
      assert(!String(t).includes("daemon"));
      t.daemon = true;
      assertEquals(t.daemon, true);
      assertStringIncludes(String(t), "daemon");
      t.setDaemon(false);
      assertEquals(t.isDaemon(), false);
      t.name = "renamed";
      assertEquals(t.getName(), "renamed");
      t.setName("worker");
      assertEquals(t.name, "worker");
      assertThrows(() => {
        t.daemon = "yes" as never;
      }, TypeError);
      assertThrows(() => {
        t.name = 123 as never;
      }, TypeError);
      assertThrows(() => new Thread({ ...options, daemon: 1 as never }), TypeError);
      t.start();
      const error = assertThrows(() => {
        t.daemon = true;
      }, RuntimeError);
      assertStringIncludes(error.message, "worker");
      assertEquals(t.daemon, false);
      await t.join();
      assertThrows(() => t.setDaemon(true), RuntimeError);
      t.name = "after";
      assertEquals(t.name, "after");
    },
  },
  {
    name: "Thread: a renamed running thread sees its new name",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const event = new Event(ctx.options);
      let seen = "";
      const t = new Thread({
        ...ctx.options,
        name: "before",
        target: async () => {
          await event.wait();
          seen = currentThread().name;
        },
      });
      t.start();
      await ctx.settle();
      t.name = "after";
      event.set();
      await t.join();
      assertEquals(seen, "after");
    },
  },
  {
    name: "Thread: daemon defaults to the creating thread's",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      const childDaemon: Record<string, boolean> = {};
      const parent = (daemon: boolean) =>
        new Thread({
          ...options,
          daemon,
          target: () => {
            childDaemon[String(daemon)] = new Thread(options).daemon;
          },
        });
      const threads = [parent(true), parent(false)];
      threads.forEach((t) => t.start());
      for (const t of threads) await t.join();
      assertEquals(childDaemon, { true: true, false: false });
      assertEquals(new Thread(options).daemon, mainThread().daemon);
    },
  },

  // --- start, join, isAlive ---
  {
    name: "Thread: start() twice is a RuntimeError",
    fn: async ({ options }) => {
      const t = new Thread({ ...options, name: "twice" });
      t.start();
      const error = assertThrows(() => t.start(), RuntimeError);
      assertStringIncludes(error.message, "twice");
      await t.join();
      assertThrows(() => t.start(), RuntimeError);
    },
  },
  {
    name: "Thread: join() of an unstarted thread is a RuntimeError",
    fn: async ({ options }) => {
      const t = new Thread({ ...options, name: "never-started" });
      const error = await assertRejects(() => t.join(), RuntimeError);
      assertStringIncludes(error.message, "never-started");
      await assertRejects(() => t.join(10), RuntimeError);
      assertThrows(() => t.joinSync(), RuntimeError);
      assertThrows(() => t.joinSync(10), RuntimeError);
    },
  },
  {
    name: "Thread: join() of the current (main) thread is a RuntimeError",
    fn: async () => {
      assertStrictEquals(currentThread(), mainThread());
      await assertRejects(() => currentThread().join(), RuntimeError);
      await assertRejects(() => mainThread().join(10), RuntimeError);
      assertThrows(() => currentThread().joinSync(), RuntimeError);
    },
  },
  {
    name: "Thread: join() of itself inside a thread is a RuntimeError",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      const errors: unknown[] = [];
      const t = new Thread({
        ...options,
        target: async () => {
          await currentThread().join().catch((e) => errors.push(e));
          try {
            currentThread().joinSync();
          } catch (e) {
            errors.push(e);
          }
        },
      });
      t.start();
      await t.join();
      assertEquals(errors.length, 2);
      assert(errors.every((e) => e instanceof RuntimeError), String(errors));
    },
  },
  {
    name: "Thread: join(timeout) returns with the thread still alive",
    fn: async (ctx) => {
      const event = new Event(ctx.options);
      const t = waiterThread(ctx.options, event);
      t.start();
      await ctx.settle();
      await t.join(0);
      assertEquals(t.isAlive(), true);
      await t.join(10);
      assertEquals(t.isAlive(), true);
      await t.join({ timeout: 5 });
      assertEquals(t.isAlive(), true);
      event.set();
      await t.join();
      assertEquals(t.isAlive(), false);
      await t.join(); // joining an ended thread again returns at once
    },
  },
  {
    name: "Thread: join() with a signal aborted mid-wait rejects with its reason; the thread runs on",
    fn: async (ctx) => {
      const event = new Event(ctx.options);
      const t = waiterThread(ctx.options, event);
      t.start();
      const controller = new AbortController();
      const joined = t.join({ signal: controller.signal });
      await ctx.sleep(5);
      const reason = new Error("stop joining");
      controller.abort(reason);
      assertStrictEquals(await assertRejects(() => joined), reason);
      assertEquals(t.isAlive(), true);
      event.set();
      await t.join();
      assertEquals(t.isAlive(), false);
    },
  },
  {
    name: "Thread: joinSync() cannot wait where nothing else runs: finite returns, forever is a DeadlockError",
    fn: async (ctx) => {
      const event = new Event(ctx.options);
      const t = waiterThread(ctx.options, event, "sleeper");
      t.start();
      await ctx.settle();
      // A finite wait returns with the thread alive on every backend (at once without blocking waits).
      t.joinSync(0);
      t.joinSync(20);
      assertEquals(t.isAlive(), true);
      if (!ctx.backend.capabilities.blockingWait) {
        for (const forever of [undefined, null, -1]) {
          const error = assertThrows(() => t.joinSync(forever), DeadlockError);
          assertStringIncludes(error.message, currentThread().name);
        }
        assertEquals(t.isAlive(), true);
      }
      event.set();
      await t.join();
      t.joinSync();
      assertEquals(t.isAlive(), false);
    },
  },
  {
    name: "Thread: isAlive() is true from start() until the target ends",
    fn: async (ctx) => {
      const event = new Event(ctx.options);
      const t = waiterThread(ctx.options, event);
      assertEquals(t.isAlive(), false);
      t.start();
      assertEquals(t.isAlive(), true);
      await ctx.settle();
      assertEquals(t.isAlive(), true);
      event.set();
      await t.join();
      assertEquals(t.isAlive(), false);
    },
  },

  // --- Identity ---
  {
    name: "Thread: ident and nativeId are null before start; idents are distinct among live threads",
    fn: async (ctx) => {
      const event = new Event(ctx.options);
      const threads = Array.from({ length: 5 }, () => waiterThread(ctx.options, event));
      for (const t of threads) {
        assertEquals(t.ident, null);
        assertEquals(t.nativeId, null);
        t.start();
        assertEquals(typeof t.ident, "number");
        assertEquals(typeof t.nativeId, "number");
      }
      const idents = new Set([mainThread().ident, ...threads.map((t) => t.ident)]);
      assertEquals(idents.size, 6);
      event.set();
      for (const t of threads) await t.join();
      assert(threads.every((t) => typeof t.ident === "number"), "ident is kept after the thread ends");
    },
  },
  {
    name: "Thread: getIdent() and getNativeId() are the current thread's",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      assertEquals(typeof getIdent(), "number");
      assertEquals(getIdent(), mainThread().ident);
      assertEquals(getNativeId(), mainThread().nativeId);
      const seen: unknown[] = [];
      const t = new Thread({
        ...options,
        target: async () => {
          await Promise.resolve();
          seen.push(getIdent(), getNativeId(), currentThread().ident);
        },
      });
      t.start();
      await t.join();
      assertEquals(seen, [t.ident, t.nativeId, t.ident]);
      assert(t.ident !== mainThread().ident);
    },
  },
  {
    name: "Thread: currentThread() stays the thread across every kind of await",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const lock = new Lock(ctx.options);
      const event = new Event(ctx.options);
      const wrong: string[] = [];
      const checks: number[] = [0, 0];
      const threads: Thread[] = [];
      const body = async (i: number) => {
        const check = (where: string) => {
          if (currentThread() !== threads[i]) wrong.push(`${threads[i].name} after ${where}: ${currentThread().name}`);
          else checks[i]++;
        };
        check("start");
        await Promise.resolve();
        check("a resolved promise");
        await ctx.sleep(1);
        check("sleep");
        await new Promise((resolve) => setTimeout(resolve, 1));
        check("a timer outside the library");
        await lock.acquire();
        check("a contended acquire");
        await ctx.sleep(2);
        lock.release();
        await event.wait();
        check("an event wait");
        await (async () => {
          await ctx.sleep(1);
          check("a nested async function");
        })();
      };
      for (const i of [0, 1]) threads.push(new Thread({ ...ctx.options, target: body, args: [i] }));
      threads.forEach((t) => t.start());
      await ctx.sleep(10);
      event.set();
      for (const t of threads) await t.join();
      assertEquals(wrong, []);
      assertEquals(checks, [7, 7]);
      assertStrictEquals(currentThread(), mainThread());
    },
  },
  {
    name: "Thread: a thread started inside a thread has its own identity",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      const seen: Thread[] = [];
      let child: Thread | undefined;
      const parent = new Thread({
        ...options,
        target: async () => {
          child = new Thread({ ...options, target: () => seen.push(currentThread()) });
          child.start();
          await child.join();
          seen.push(currentThread());
        },
      });
      parent.start();
      await parent.join();
      assertEquals(seen.length, 2);
      assertStrictEquals(seen[0], child);
      assertStrictEquals(seen[1], parent);
      assertNotStrictEquals(child!.ident, parent.ident);
    },
  },
  {
    name: "Thread: enumerate() and activeCount() include started threads and drop finished ones",
    fn: async (ctx) => {
      const before = activeCount();
      assertEquals(enumerate().length, before);
      assert(enumerate().includes(mainThread()));
      const event = new Event(ctx.options);
      const threads = [waiterThread(ctx.options, event), waiterThread(ctx.options, event)];
      assert(!threads.some((t) => enumerate().includes(t)), "an unstarted thread is not listed");
      threads.forEach((t) => t.start());
      await ctx.settle();
      assertEquals(activeCount(), before + 2);
      assert(threads.every((t) => enumerate().includes(t)));
      event.set();
      for (const t of threads) await t.join();
      assertEquals(activeCount(), before);
      assert(!threads.some((t) => enumerate().includes(t)), "a finished thread is not listed");
    },
  },
  {
    name: "Thread: mainThread() is the thread running outside any started thread",
    fn: () => {
      const main = mainThread();
      assertEquals(main.name, "MainThread");
      assertStrictEquals(currentThread(), main);
      assertEquals(main.ident, getIdent());
      assertEquals(main.isAlive(), true);
      assertEquals(main.daemon, false);
    },
  },
  {
    name: "Thread: inside a thread, mainThread() is not the current thread",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      const seen: [Thread, Thread][] = [];
      const t = new Thread({ ...options, target: () => seen.push([mainThread(), currentThread()]) });
      t.start();
      await t.join();
      assertStrictEquals(seen[0][0], mainThread());
      assertStrictEquals(seen[0][1], t);
      assertNotStrictEquals(seen[0][0].ident, seen[0][1].ident);
    },
  },

  // --- Exceptions escaping threads ---
  {
    name: "Thread: the excepthook gets excType, excValue, excTraceback and thread before join() resolves",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const received: ExceptHookArgs[] = [];
      class ThreadRunFail extends Thread {
        override run(): void {
          throw new ValueError("run failed");
        }
      }
      await withExcepthook((args) => received.push(args), async () => {
        const t = new ThreadRunFail(ctx.options);
        t.start();
        await t.join();
        assertEquals(received.length, 1);
        const args = received[0];
        assertStrictEquals(args.excType, ValueError);
        assert(args.excValue instanceof ValueError);
        assertEquals((args.excValue as ValueError).message, "run failed");
        assertEquals(typeof args.excTraceback, "string");
        assertStringIncludes(args.excTraceback!, "run failed");
        assertStrictEquals(args.thread, t);

        // The same for a rejection after some awaits.
        const late = new Thread({
          ...ctx.options,
          target: async () => {
            await ctx.sleep(2);
            throw new RangeError("later");
          },
        });
        late.start();
        await late.join();
        assertEquals(received.length, 2);
        assertStrictEquals(received[1].excType, RangeError);
        assertStrictEquals(received[1].thread, late);

        // A thrown non-object has no type and no traceback.
        const plain = new Thread({
          ...ctx.options,
          target: () => {
            throw "plain string";
          },
        });
        plain.start();
        await plain.join();
        assertEquals(received.length, 3);
        assertEquals(received[2].excType, null);
        assertEquals(received[2].excValue, "plain string");
        assertEquals(received[2].excTraceback, null);
      });
      assertEquals(ctx.escaped, []);
    },
  },
  {
    name: "Thread: an exception escaping a module target reaches the excepthook",
    fn: async ({ options }) => {
      const received: ExceptHookArgs[] = [];
      await withExcepthook((args) => received.push(args), async () => {
        const t = new Thread({
          ...options,
          target: { module: targets, export: "raiseValueError" },
          args: ["from a module"],
        });
        t.start();
        await t.join();
        assertEquals(received.length, 1);
        const error = received[0].excValue as Error;
        assertEquals(error.name, "ValueError");
        assertEquals(error.message, "from a module");
        assertStrictEquals(received[0].excType, error.constructor);
        assertStrictEquals(received[0].thread, t);
      });
    },
  },
  {
    name: "Thread: the default excepthook prints the thread's name and the error to stderr",
    fn: async ({ options }) => {
      assertThrows(() => setExcepthook(42 as never), TypeError);
      const output = await captureStderr(() =>
        withExcepthook(excepthook, async () => {
          assertStrictEquals(getExcepthook(), excepthook);
          const t = new Thread({
            ...options,
            name: "excepthook thread",
            target: { module: targets, export: "raiseValueError" },
            args: ["run failed"],
          });
          t.start();
          await t.join();
        })
      );
      assertStringIncludes(output, "Exception in thread excepthook thread");
      assertStringIncludes(output, "ValueError: run failed");
    },
  },
  {
    name: "Thread: an excepthook that throws is reported on stderr and ignored",
    fn: async ({ options }) => {
      let calls = 0;
      const hook: ExceptHook = () => {
        calls++;
        throw new Error("threading_hook failed");
      };
      const output = await captureStderr(() =>
        withExcepthook(hook, async () => {
          for (let i = 0; i < 2; i++) {
            const t = new Thread({ ...options, target: { module: targets, export: "raiseValueError" }, args: ["x"] });
            t.start();
            await t.join();
            assertEquals(t.isAlive(), false);
          }
        })
      );
      assertEquals(calls, 2);
      assertStringIncludes(output, "Exception in threading.excepthook");
      assertStringIncludes(output, "threading_hook failed");
    },
  },
  {
    name: "Thread: an exception in a thread never becomes an unhandled rejection",
    needs: ["functionTargets"],
    allowsEscapes: true,
    fn: async (ctx) => {
      const unhandled: unknown[] = [];
      const listener = (e: PromiseRejectionEvent) => {
        unhandled.push(e.reason);
        e.preventDefault();
      };
      globalThis.addEventListener("unhandledrejection", listener);
      try {
        const bodies = [
          () => {
            throw new Error("sync");
          },
          async () => {
            await ctx.sleep(1);
            throw new Error("async");
          },
          () => Promise.reject(new Error("returned rejection")),
        ];
        const threads = bodies.map((target) => new Thread({ ...ctx.options, target }));
        threads.forEach((t) => t.start());
        for (const t of threads) await t.join();
        await ctx.settle();
      } finally {
        globalThis.removeEventListener("unhandledrejection", listener);
      }
      assertEquals(unhandled, []);
      assertEquals(ctx.escaped.map((e) => (e as Error).message).sort(), ["async", "returned rejection", "sync"]);
    },
  },
  {
    name: "Thread: SystemExit ends a thread quietly, after its finally blocks",
    fn: async (ctx) => {
      const cleanedUp = new Event(ctx.options);
      const output = await captureStderr(() =>
        withExcepthook(excepthook, async () => {
          const t = new Thread({
            ...ctx.options,
            target: { module: targets, export: "exitQuietly" },
            args: [cleanedUp],
          });
          t.start();
          await t.join();
          assertEquals(t.isAlive(), false);
        })
      );
      assertEquals(cleanedUp.isSet(), true);
      assertEquals(output, "");
      assertEquals(ctx.escaped, []);
    },
  },
  {
    name: "Thread: SystemExit after awaits ends a function thread without reaching the excepthook",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const steps: string[] = [];
      class ThreadExit extends Thread {
        override async run() {
          try {
            await ctx.sleep(1);
            steps.push("before");
            throw new SystemExit(1);
          } finally {
            steps.push("finally");
          }
        }
      }
      const t = new ThreadExit(ctx.options);
      t.start();
      await t.join();
      assertEquals(steps, ["before", "finally"]);
      assertEquals(ctx.escaped, []);
    },
  },

  // --- Settings ---
  {
    name: "Thread: getTrace()/getProfile() return what setTrace()/setProfile() set, null before",
    fn: () => {
      assertEquals(getTrace(), null);
      assertEquals(getProfile(), null);
      const trace = () => {};
      const profile = () => {};
      try {
        setTrace(trace);
        setProfile(profile);
        assertStrictEquals(getTrace(), trace);
        assertStrictEquals(getProfile(), profile);
        assertThrows(() => setTrace(42 as never), TypeError);
        assertThrows(() => setProfile("f" as never), TypeError);
        assertStrictEquals(getTrace(), trace);
      } finally {
        setTrace(null);
        setProfile(null);
      }
      assertEquals(getTrace(), null);
      assertEquals(getProfile(), null);
    },
  },
  {
    name: "Thread: stackSize(size) returns the previous size; below 32 KiB is a ValueError",
    fn: async ({ options }) => {
      const previous = stackSize();
      try {
        assertEquals(stackSize(262144), previous);
        assertEquals(stackSize(0x100000), 262144);
        assertEquals(stackSize(), 0x100000);
        const error = assertThrows(() => stackSize(1000), ValueError);
        assertStringIncludes(error.message, "1000");
        assertThrows(() => stackSize(-1), ValueError);
        assertEquals(stackSize(), 0x100000);
        assertEquals(stackSize(32768), 0x100000);
        // Threads still run with a stack size set (test_various_ops_small_stack).
        const sem = new Semaphore(0, options);
        const t = new Thread({ ...options, target: { module: targets, export: "releaseSum" }, args: [sem, 1] });
        t.start();
        await t.join();
        assertEquals(sem.value, 1);
      } finally {
        stackSize(previous);
      }
      assertEquals(stackSize(), previous);
    },
  },
  {
    name: "Thread: TIMEOUT_MAX is the largest timeout accepted",
    fn: async ({ options }) => {
      assert(Number.isInteger(TIMEOUT_MAX) && TIMEOUT_MAX > 0, String(TIMEOUT_MAX));
      const t = new Thread(options);
      t.start();
      await t.join();
      await t.join(TIMEOUT_MAX);
      const error = await assertRejects(() => t.join(TIMEOUT_MAX + 1), OverflowError);
      assertStringIncludes(error.message, String(TIMEOUT_MAX + 1));
      await assertRejects(() => sleep(TIMEOUT_MAX + 1, options), OverflowError);
    },
  },

  // --- Time ---
  {
    name: "Thread: after await sleep(ms), monotonic() has advanced by at least ms",
    fn: async ({ options }) => {
      for (const ms of [0, 1, 5, 20]) {
        const start = monotonic(options);
        await sleep(ms, options);
        const elapsed = monotonic(options) - start;
        assert(elapsed >= ms, `slept ${ms} ms but monotonic() advanced by ${elapsed}`);
      }
      const a = monotonic(options);
      const b = monotonic(options);
      assert(b >= a, "monotonic() never goes back");
    },
  },
  {
    name: "Thread: sleep() rejects a negative, NaN, too large or non-number duration",
    fn: async ({ options }) => {
      const negative = await assertRejects(() => sleep(-1, options), ValueError);
      assertStringIncludes(negative.message, "-1");
      await assertRejects(() => sleep(-0.5, options), ValueError);
      await assertRejects(() => sleep(NaN, options), ValueError);
      await assertRejects(() => sleep(TIMEOUT_MAX + 1, options), OverflowError);
      await assertRejects(() => sleep("5" as never, options), TypeError);
    },
  },
  {
    name: "Thread: sleep() with an aborted signal rejects with its reason and leaves no waiter",
    fn: async (ctx) => {
      const reason = new Error("wake up");
      const already = AbortSignal.abort(reason);
      assertStrictEquals(await assertRejects(() => sleep(10, { ...ctx.options, signal: already })), reason);
      assertStrictEquals(await assertRejects(() => sleep(-1, { ...ctx.options, signal: already })), reason);
      const controller = new AbortController();
      const sleeping = sleep(60_000, { ...ctx.options, signal: controller.signal });
      await ctx.sleep(5);
      controller.abort(reason);
      assertStrictEquals(await assertRejects(() => sleeping), reason);
    },
  },
  {
    name: "Thread: sleep(0) is a scheduling point: started threads run before it returns",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      let ran = false;
      const t = new Thread({
        ...options,
        target: async () => {
          await Promise.resolve();
          ran = true;
        },
      });
      t.start();
      assertEquals(ran, false);
      await sleep(0, options);
      assertEquals(ran, true);
      await t.join();
    },
  },

  // --- synchronized ---
  {
    name: "Thread: synchronized(lock) runs one call at a time, in arrival order",
    fn: async (ctx) => {
      const lock = new Lock(ctx.options);
      const entered: number[] = [];
      let inside = 0;
      let most = 0;
      const work = synchronized(lock)(async (i: number) => {
        entered.push(i);
        inside++;
        most = Math.max(most, inside);
        await ctx.sleep(2);
        inside--;
        return i * 2;
      });
      const results = await Promise.all([0, 1, 2, 3].map((i) => work(i)));
      assertEquals(results, [0, 2, 4, 6]);
      assertEquals(entered, [0, 1, 2, 3]);
      assertEquals(most, 1);
      // It shares the lock: a call waits while someone else holds it.
      await lock.acquire();
      const pending = work(7);
      await ctx.settle();
      assertEquals(entered.length, 4);
      lock.release();
      assertEquals(await pending, 14);
      assertEquals(lock.locked(), false);
      // `this` and the name are kept; bad arguments are a TypeError.
      const counter = {
        n: 5,
        get: synchronized(lock)(function get(this: { n: number }) {
          return this.n;
        }),
      };
      assertEquals(await counter.get(), 5);
      assertEquals(counter.get.name, "get");
      assertThrows(() => synchronized(42 as never), TypeError);
      assertThrows(() => synchronized(lock)(42 as never), TypeError);
    },
  },
  {
    name: "Thread: synchronized calls from several threads do not overlap",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      let inside = 0;
      let most = 0;
      const work = synchronized(new Lock(ctx.options))(async () => {
        inside++;
        most = Math.max(most, inside);
        await ctx.sleep(1);
        inside--;
      });
      const bunch = ctx.bunch(async () => {
        for (let i = 0; i < 3; i++) await work();
      }, 4);
      await bunch.join();
      assertEquals(most, 1);
      assertEquals(inside, 0);
    },
  },
  {
    name: "Thread: synchronized(fn) makes the seeds' thread-safe singleton",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const singleton = (safe: boolean) => {
        let instance: object | undefined;
        let created = 0;
        const construct = async () => {
          if (instance === undefined) {
            await ctx.sleep(2); // a slow constructor: other threads get to run
            instance = { id: ++created };
          }
          return instance;
        };
        return { getInstance: safe ? synchronized(construct) : construct, created: () => created };
      };
      const run = async (s: ReturnType<typeof singleton>) => {
        const got: object[] = [];
        const bunch = ctx.bunch(async () => {
          got.push(await s.getInstance());
        }, 3);
        await bunch.join();
        return got;
      };
      // Without synchronization the race is real: every thread constructs one.
      const unsafe = singleton(false);
      await run(unsafe);
      assertEquals(unsafe.created(), 3);
      const safe = singleton(true);
      const got = await run(safe);
      assertEquals(safe.created(), 1);
      assertEquals(got.length, 3);
      assert(got.every((o) => o === got[0]));
    },
  },
]);
