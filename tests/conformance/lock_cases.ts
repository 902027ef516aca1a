/**
 * Lock: CPython's `BaseLockTests` and `LockTests` (Lib/test/lock_tests.py),
 * and the contract's own rules. The behaviours every lock-like object shares
 * are written once in {@linkcode lockLikeCases} and run for `Lock`, `RLock`
 * and `Condition` (Python runs `RLockTests` against `Condition` too).
 *
 * @module
 */
import { assert, assertEquals, assertInstanceOf, assertRejects, assertThrows } from "@std/assert";
import {
  activeCount,
  DeadlockError,
  Lock,
  OverflowError,
  RuntimeError,
  TIMEOUT_MAX,
  TimeoutError,
  ValueError,
  type WaitOptions,
} from "@locksmith/threading";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";

/** What the shared cases need of a lock-like object. */
export interface LockUnderTest {
  acquire(blocking?: boolean, timeout?: number | null): Promise<boolean>;
  acquire(options: WaitOptions): Promise<boolean>;
  acquireSync(blocking?: boolean, timeout?: number | null): boolean;
  release(): void | Promise<void>;
  locked(): boolean | Promise<boolean>;
  guard(options?: WaitOptions): Promise<Disposable | AsyncDisposable>;
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T>;
}

/** A kind of lock-like object under test. */
export interface LockKind {
  /** The test-name prefix: `Lock`, `RLock`, `Condition`. */
  readonly name: string;
  /** Makes one (with `options` if given); `label` is what its error messages name. */
  create(ctx: CaseContext, options?: unknown): { lock: LockUnderTest; label: string };
}

/**
 * Polls `predicate` between short sleeps until it holds (at most `rounds`
 * sleeps), like CPython's `sleeping_retry`: a case never hangs on a thread
 * that failed.
 */
export async function until(
  ctx: CaseContext,
  predicate: () => boolean | Promise<boolean>,
  rounds = 2000,
): Promise<void> {
  for (let i = 0; i < rounds && !(await predicate()); i++) await ctx.sleep(1);
}

/** Whether `promise` settles within a few microtasks (no timer can run meanwhile). */
export async function settlesAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  for (let i = 0; i < 5; i++) await null;
  return settled;
}

/** Asserts that `error` is an `ErrorClass` whose message contains every one of `parts`. */
export function assertErrorSays(
  error: unknown,
  ErrorClass: abstract new (...args: never[]) => Error,
  ...parts: string[]
) {
  assertInstanceOf(error, ErrorClass as abstract new (...args: never[]) => Error);
  const message = (error as Error).message;
  for (const part of parts) assert(message.includes(part), `message lacks '${part}': ${message}`);
}

/** Starts a thread that takes `lock` and holds it until `letGo()`. */
export async function heldByThread(
  ctx: CaseContext,
  lock: LockUnderTest,
): Promise<{ letGo(): Promise<void>; readonly thread: string }> {
  const gate = Promise.withResolvers<void>();
  let held = false;
  const bunch = ctx.bunch(async () => {
    await lock.acquire();
    held = true;
    try {
      await gate.promise;
    } finally {
      await lock.release();
    }
  });
  await until(ctx, () => held);
  assert(held, "the holding thread did not get the lock");
  return {
    thread: bunch.threads[0].name,
    async letGo() {
      gate.resolve();
      await bunch.join();
    },
  };
}

/**
 * Loops `n` threads over acquire / critical section / release and checks the
 * fairness rule: a release while others wait hands the lock to another
 * thread (FIFO hand-off), so the releaser never gets it straight back.
 */
async function checkNoStarvation(ctx: CaseContext, lock: LockUnderTest, awaitInside: boolean): Promise<void> {
  const n = 4;
  const rounds = 25;
  let waiting = 0;
  let owner = -1;
  let acquisitions = 0;
  let ownerChanges = 0;
  let contendedReleases = 0;
  let barged = 0;
  let lastReleaser = -1;
  let othersWaitedAtRelease = false;
  const bunch = ctx.bunch(async (i) => {
    for (let r = 0; r < rounds; r++) {
      waiting++;
      await lock.acquire();
      waiting--;
      if (othersWaitedAtRelease && lastReleaser === i) barged++;
      if (owner !== i) ownerChanges++;
      owner = i;
      acquisitions++;
      if (awaitInside) await null;
      othersWaitedAtRelease = waiting > 0;
      if (othersWaitedAtRelease) contendedReleases++;
      lastReleaser = i;
      await lock.release();
    }
  }, n);
  await bunch.join();
  assertEquals(acquisitions, n * rounds);
  assert(contendedReleases >= acquisitions / 2, `too little contention to judge: ${contendedReleases}`);
  assertEquals(barged, 0, `a releaser took the lock back ahead of a waiter ${barged} times`);
  // Every contended release changed the owner.
  assert(
    ownerChanges >= contendedReleases,
    `${ownerChanges} owner changes for ${contendedReleases} contended releases`,
  );
}

/** The behaviours of `BaseLockTests` plus the contract's, for one kind. */
export function lockLikeCases(kind: LockKind): Case[] {
  const K = kind.name;
  return [
    {
      name: `${K}: a new lock is unlocked and can be acquired and released`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        assertEquals(await lock.locked(), false);
        assertEquals(await lock.acquire(), true);
        assertEquals(await lock.locked(), true);
        await lock.release();
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: the constructor rejects options that are not an object`,
      fn: (ctx) => {
        const error = assertThrows(() => kind.create(ctx, 1), TypeError);
        assertErrorSays(error, TypeError, "received", "1");
        // Options with the backend are accepted.
        kind.create(ctx);
      },
    },
    {
      name: `${K}: acquire(false) takes a free lock`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        assertEquals(await lock.acquire(false), true);
        assertEquals(await lock.locked(), true);
        await lock.release();
      },
    },
    {
      name: `${K}: acquire(false) from another thread fails while the lock is held`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        await lock.acquire();
        const results: boolean[] = [];
        await ctx.bunch(async () => {
          results.push(await lock.acquire(false));
          results.push(await lock.acquire({ blocking: false }));
        }).join();
        assertEquals(results, [false, false]);
        assertEquals(await lock.locked(), true);
        await lock.release();
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: contended acquires wait until the lock is released`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        await lock.acquire();
        const n = 5;
        const bunch = ctx.bunch(async () => {
          await lock.acquire();
          await lock.release();
        }, n);
        await ctx.settle();
        assertEquals(bunch.finished(), 0);
        await lock.release();
        await bunch.join();
        assertEquals(bunch.finished(), n);
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: a guard releases at the end of its block, also when the block throws`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        const takeAndRelease = () =>
          ctx.bunch(async () => {
            assertEquals(await lock.acquire({ timeout: 1000 }), true);
            await lock.release();
          }).join();
        {
          await using _ = await lock.guard();
          assertEquals(await lock.locked(), true);
        }
        assertEquals(await lock.locked(), false);
        await takeAndRelease();
        const thrown = new TypeError("inside the block");
        const error = await assertRejects(async () => {
          await using _ = await lock.guard();
          throw thrown;
        });
        assert(error === thrown);
        assertEquals(await lock.locked(), false);
        await takeAndRelease();
      },
    },
    {
      name: `${K}: threads that use the lock leave no thread behind`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        const before = activeCount();
        await ctx.bunch(async () => {
          await lock.acquire();
          await lock.release();
        }, 15).join();
        assertEquals(activeCount(), before);
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: bad timeouts are errors that say what was received`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        // A timeout with blocking = false.
        let error = await assertRejects(() => lock.acquire(false, 10));
        assertErrorSays(error, ValueError, "blocking", "received", "10");
        error = await assertRejects(() => lock.acquire({ blocking: false, timeout: 10 }));
        assertErrorSays(error, ValueError, "blocking", "10");
        // Negative timeouts other than -1.
        error = await assertRejects(() => lock.acquire(true, -5));
        assertErrorSays(error, ValueError, "timeout", "received -5");
        error = await assertRejects(() => lock.acquire({ timeout: -100 }));
        assertErrorSays(error, ValueError, "received -100");
        error = await assertRejects(() => lock.acquire(true, NaN));
        assertErrorSays(error, ValueError, "received NaN");
        // Above TIMEOUT_MAX.
        error = await assertRejects(() => lock.acquire(true, TIMEOUT_MAX + 1));
        assertErrorSays(error, OverflowError, "TIMEOUT_MAX", `received ${TIMEOUT_MAX + 1}`);
        error = await assertRejects(() => lock.acquire({ timeout: 1e100 }));
        assertErrorSays(error, OverflowError, "received 1e+100");
        error = await assertRejects(() => lock.acquire(true, Infinity));
        assertErrorSays(error, OverflowError, "received Infinity");
        // Not a number at all.
        error = await assertRejects(() => lock.acquire(true, "10" as never));
        assertErrorSays(error, TypeError, "timeout", 'received "10"');
        // None of them took the lock.
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: a bad argument rejects the returned Promise instead of throwing`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        let promise: Promise<boolean> | undefined;
        try {
          promise = lock.acquire(false, 10);
        } catch (error) {
          throw new Error(`acquire threw synchronously: ${error}`);
        }
        assertInstanceOf(promise, Promise);
        await assertRejects(() => promise!, ValueError);
      },
    },
    {
      name: `${K}: the ...Sync twin throws bad arguments synchronously`,
      needs: ["syncTwins"],
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        assertErrorSays(assertThrows(() => lock.acquireSync(false, 10)), ValueError, "received", "10");
        assertErrorSays(assertThrows(() => lock.acquireSync(true, -5)), ValueError, "received -5");
        assertErrorSays(
          assertThrows(() => lock.acquireSync(true, TIMEOUT_MAX + 1)),
          OverflowError,
          `received ${TIMEOUT_MAX + 1}`,
        );
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: the options object takes blocking, timeout and signal`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        assertEquals(await lock.acquire({}), true);
        await lock.release();
        assertEquals(await lock.acquire({ blocking: true, timeout: 50, signal: new AbortController().signal }), true);
        await lock.release();
        const holder = await heldByThread(ctx, lock);
        try {
          assertEquals(await lock.acquire({ blocking: false }), false);
          assertEquals(await lock.acquire({ timeout: 10 }), false);
          assertEquals(await lock.acquire({ timeout: 0 }), false);
          const both = await assertRejects(() => lock.acquire({ timeout: 10 } as never, 10 as never));
          assertErrorSays(both, TypeError, "received");
          const badSignal = await assertRejects(() => lock.acquire({ signal: "stop" as never }));
          assertErrorSays(badSignal, TypeError, "signal", 'received "stop"');
        } finally {
          await holder.letGo();
        }
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: TIMEOUT_MAX is a valid timeout and does not expire early`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        assertEquals(await lock.acquire(true, TIMEOUT_MAX), true);
        const results: boolean[] = [];
        const bunch = ctx.bunch(async () => {
          results.push(await lock.acquire(true, TIMEOUT_MAX));
          await lock.release();
        });
        await ctx.settle();
        assertEquals(results, [], "the TIMEOUT_MAX wait ended before the release");
        await lock.release();
        await bunch.join();
        assertEquals(results, [true]);
      },
    },
    {
      name: `${K}: acquire with a timeout takes a free lock`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        assertEquals(await lock.acquire(true, 5000), true);
        await lock.release();
        assertEquals(await lock.acquire(true, 0), true);
        await lock.release();
      },
    },
    {
      name: `${K}: acquire with a timeout in ms resolves false once it elapses`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        await lock.acquire();
        const results: [boolean, number][] = [];
        await ctx.bunch(async () => {
          const start = ctx.backend.now();
          const acquired = await lock.acquire(true, 50);
          results.push([acquired, ctx.backend.now() - start]);
        }).join();
        assertEquals(results.length, 1);
        assertEquals(results[0][0], false);
        // Milliseconds, not seconds nor microseconds (generous for a busy machine).
        assert(results[0][1] >= 30, `timed out after ${results[0][1]} ms`);
        assertEquals(await lock.locked(), true);
        await lock.release();
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: a timeout of 0 does not wait; -1 and null wait forever`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        await lock.acquire();
        const results: string[] = [];
        const bunch = ctx.bunch(async (i) => {
          if (i === 0) {
            results.push(`zero ${await lock.acquire(true, 0)}`);
            return;
          }
          const acquired = await lock.acquire(true, i === 1 ? -1 : null);
          results.push(`${i === 1 ? "minus one" : "null"} ${acquired}`);
          await lock.release();
        }, 3);
        await ctx.settle();
        assertEquals(results, ["zero false"]);
        await lock.release();
        await bunch.join();
        assertEquals(results, ["zero false", "minus one true", "null true"]);
      },
    },
    {
      name: `${K}: an already-aborted signal rejects at once with its reason, even when the lock is free`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        const controller = new AbortController();
        const reason = new Error("stop");
        controller.abort(reason);
        const signal = controller.signal;
        const calls: Promise<unknown>[] = [
          lock.acquire({ signal }),
          lock.acquire({ signal, blocking: false }),
          // Before any other check: a bad timeout does not win over the signal.
          lock.acquire({ signal, timeout: -5 }),
          lock.guard({ signal }),
        ];
        for (const call of calls) {
          assert(await settlesAtOnce(call), "the call did not settle at once");
          const error = await assertRejects(() => call);
          assert(error === reason, `rejected with ${error} instead of the signal's reason`);
        }
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: aborting a pending acquire rejects with the reason; the next release goes to the next waiter`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        await lock.acquire();
        const controller = new AbortController();
        const reason = { why: "abandoned" };
        const events: string[] = [];
        const bunch = ctx.bunch(async (i) => {
          if (i === 0) {
            try {
              await lock.acquire({ signal: controller.signal });
              events.push("aborted waiter acquired");
              await lock.release();
            } catch (error) {
              events.push(error === reason ? "aborted with reason" : `aborted with ${error}`);
            }
            return;
          }
          await ctx.sleep(5);
          const acquired = await lock.acquire({ timeout: 2000 });
          events.push(`second waiter acquired ${acquired}`);
          if (acquired) lock.release();
        }, 2);
        await ctx.settle();
        await ctx.sleep(10);
        controller.abort(reason);
        await until(ctx, () => events.length >= 1);
        assertEquals(events, ["aborted with reason"]);
        await lock.release();
        await bunch.join();
        assertEquals(events, ["aborted with reason", "second waiter acquired true"]);
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: a release after the only waiter was aborted leaves the lock free`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        await lock.acquire();
        const controller = new AbortController();
        const outcome: unknown[] = [];
        const bunch = ctx.bunch(async () => {
          await lock.acquire({ signal: controller.signal, timeout: 5000 }).then(
            (v) => outcome.push(v),
            (e) => outcome.push(e),
          );
        });
        await ctx.settle();
        controller.abort("gone");
        await bunch.join();
        assertEquals(outcome, ["gone"]);
        await lock.release();
        assertEquals(await lock.locked(), false);
        assertEquals(await lock.acquire(false), true);
        await lock.release();
      },
    },
    {
      name: `${K}: a release after a waiter timed out goes to the next waiter`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        await lock.acquire();
        const results: string[] = [];
        const bunch = ctx.bunch(async (i) => {
          if (i === 1) await ctx.sleep(2);
          const acquired = await lock.acquire(true, i === 0 ? 10 : 2000);
          results.push(`${i} ${acquired}`);
          if (acquired) lock.release();
        }, 2);
        await until(ctx, () => results.length >= 1);
        await ctx.settle();
        assertEquals(results, ["0 false"]);
        await lock.release();
        await bunch.join();
        assertEquals(results, ["0 false", "1 true"]);
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: a released lock goes to the oldest waiter (FIFO hand-off)`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        await lock.acquire();
        const order: number[] = [];
        const bunch = ctx.bunch(async (i) => {
          await ctx.sleep(i * 3);
          await lock.acquire();
          order.push(i);
          await lock.release();
        }, 4);
        await ctx.sleep(30);
        await lock.release();
        await bunch.join();
        assertEquals(order, [0, 1, 2, 3]);
      },
    },
    {
      name: `${K}: no starvation: every release while others wait changes the owner`,
      fn: (ctx) => checkNoStarvation(ctx, kind.create(ctx).lock, true),
    },
    {
      name: `${K}: no starvation: a thread that releases and re-acquires at once cannot barge ahead`,
      fn: (ctx) => checkNoStarvation(ctx, kind.create(ctx).lock, false),
    },
    {
      name: `${K}: guard returns a Disposable that releases exactly once`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        const guard = await lock.guard();
        assertEquals(await lock.locked(), true);
        await ctx.dispose(guard);
        assertEquals(await lock.locked(), false);
        // Someone else takes the lock; disposing the old guard again must not release it.
        const holder = await heldByThread(ctx, lock);
        try {
          await ctx.dispose(guard);
          assertEquals(await lock.locked(), true);
        } finally {
          await holder.letGo();
        }
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: guard waits like acquire and rejects with TimeoutError when not acquired`,
      fn: async (ctx) => {
        const { lock, label } = kind.create(ctx);
        const holder = await heldByThread(ctx, lock);
        try {
          let error = await assertRejects(() => lock.guard({ timeout: 10 }));
          assertErrorSays(error, TimeoutError, label, "10 ms");
          error = await assertRejects(() => lock.guard({ blocking: false }));
          assertErrorSays(error, TimeoutError, label, "blocking");
          error = await assertRejects(() => lock.guard({ timeout: -5 }));
          assertErrorSays(error, ValueError, "received -5");
          error = await assertRejects(() => lock.guard({ blocking: false, timeout: 5 }));
          assertErrorSays(error, ValueError, "blocking");
          assertEquals(await lock.locked(), true);
        } finally {
          await holder.letGo();
        }
        const order: string[] = [];
        const waiter = ctx.bunch(async () => {
          await using _ = await lock.guard({ timeout: 2000 });
          order.push("guarded");
        });
        await waiter.join();
        assertEquals(order, ["guarded"]);
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: runExclusive holds the lock while fn runs and returns its result`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        assertEquals(await lock.runExclusive(() => lock.locked()), true);
        assertEquals(await lock.locked(), false);
        const value = await lock.runExclusive(async () => {
          await null;
          return { locked: await lock.locked() };
        });
        assertEquals(value, { locked: true });
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: runExclusive releases the lock when fn throws or rejects`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        const thrown = new Error("sync failure");
        let error = await assertRejects(() =>
          lock.runExclusive(() => {
            throw thrown;
          })
        );
        assert(error === thrown);
        assertEquals(await lock.locked(), false);
        const rejected = new Error("async failure");
        error = await assertRejects(() =>
          lock.runExclusive(async () => {
            await null;
            throw rejected;
          })
        );
        assert(error === rejected);
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: runExclusive waits for the lock`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        const holder = await heldByThread(ctx, lock);
        const order: string[] = [];
        const running = lock.runExclusive(() => order.push("fn"));
        await ctx.settle();
        assertEquals(order, []);
        order.push("let go");
        await holder.letGo();
        await running;
        assertEquals(order, ["let go", "fn"]);
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: runExclusive rejects a non-function with TypeError`,
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        const error = await assertRejects(() => lock.runExclusive(42 as never));
        assertErrorSays(error, TypeError, "fn", "received number");
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name: `${K}: acquireSync on a free lock takes it`,
      needs: ["syncTwins"],
      fn: async (ctx) => {
        const { lock } = kind.create(ctx);
        assertEquals(lock.acquireSync(), true);
        assertEquals(await lock.locked(), true);
        await lock.release();
        assertEquals(lock.acquireSync(false), true);
        await lock.release();
        assertEquals(lock.acquireSync(true, 10), true);
        await lock.release();
        assertEquals(await lock.locked(), false);
      },
    },
    {
      name:
        `${K}: acquireSync on a held lock: false at once or DeadlockError on one thread; a real timed wait otherwise`,
      needs: ["syncTwins"],
      fn: async (ctx) => {
        const { lock, label } = kind.create(ctx);
        const holder = await heldByThread(ctx, lock);
        try {
          assertEquals(lock.acquireSync(false), false);
          if (!ctx.backend.capabilities.blockingWait) {
            // Nothing else can run while the caller blocks: a finite wait gives up at once.
            assertEquals(lock.acquireSync(true, 60_000), false);
            for (const forever of [() => lock.acquireSync(), () => lock.acquireSync(true, -1)]) {
              const error = assertThrows(forever);
              assertErrorSays(error, DeadlockError, label, "MainThread");
            }
          } else {
            const start = ctx.backend.now();
            assertEquals(lock.acquireSync(true, 20), false);
            const waited = ctx.backend.now() - start;
            assert(waited >= 12, `a blocking timed wait returned after ${waited} ms`);
          }
          assertEquals(await lock.locked(), true);
        } finally {
          await holder.letGo();
        }
        assertEquals(await lock.locked(), false);
      },
    },
  ];
}

const LOCK: LockKind = {
  name: "Lock",
  create(ctx, options) {
    const lock = ctx.make.Lock(options);
    return { lock, label: lock.label };
  },
};

export const lockCases: Case[] = defineCases([
  ...lockLikeCases(LOCK),
  {
    // A Lock is built by its core's constructor as an instance of `new.target` (primitives/lock.ts).
    name: "Lock: a subclass is an instance of itself, keeps its fields and overrides, and locks",
    needs: ["inProcess"],
    fn: async (ctx) => {
      class CountingLock extends Lock {
        acquisitions = 0;
        override acquireSync(blocking?: boolean, timeout?: number | null): boolean {
          const taken = super.acquireSync(blocking, timeout);
          if (taken) this.acquisitions++;
          return taken;
        }
      }
      const lock = new CountingLock({ backend: ctx.backend });
      assertInstanceOf(lock, CountingLock);
      assertInstanceOf(lock, Lock);
      assertEquals(lock.acquireSync(false), true);
      assertEquals(lock.acquireSync(false), false);
      assertEquals(lock.acquisitions, 1);
      assert(lock.locked());
      lock.release();
      assertEquals(lock.locked(), false);
      assertEquals(await lock.acquire(), true);
      assertEquals(await lock.acquire(false), false);
      lock.release();
      assert(lock.label.startsWith("Lock#"), lock.label);
    },
  },
  {
    // The lock algorithm's methods are the Lock's own at run time: a subclass may not take their names.
    name: "Lock: a subclass that defines a name the lock algorithm uses is refused with a TypeError naming it",
    needs: ["inProcess"],
    fn: (ctx) => {
      class ItsOwnLock extends Lock {
        lock(): string {
          return "mine";
        }
      }
      assertThrows(() => new ItsOwnLock({ backend: ctx.backend }), TypeError, "ItsOwnLock: it defines 'lock'");
      // Refused every time, and for a class further down that inherits the name.
      assertThrows(() => new ItsOwnLock({ backend: ctx.backend }), TypeError, "'lock'");
      class Below extends ItsOwnLock {}
      assertThrows(() => new Below({ backend: ctx.backend }), TypeError, "Below: it defines 'lock'");
      class WithCells extends Lock {
        get cells(): number {
          return 0;
        }
      }
      assertThrows(() => new WithCells({ backend: ctx.backend }), TypeError, "'cells'");
      // Python's names, and those that only describe the lock, may be overridden.
      class Described extends Lock {
        override readonly label = "the account lock";
        override toString(): string {
          return `<${this.label}>`;
        }
        override release(): void {
          super.release();
        }
      }
      const lock = new Described({ backend: ctx.backend });
      assertEquals(lock.acquireSync(false), true);
      lock.release();
      assertEquals(String(lock), "<the account lock>");
      assertThrows(() => lock.release(), RuntimeError, "the account lock is not locked");
    },
  },
  {
    name: "Lock: toString says whether it is locked",
    needs: ["inProcess"],
    fn: async (ctx) => {
      const lock = ctx.make.Lock();
      assert(String(lock).startsWith("<unlocked"), String(lock));
      await lock.acquire();
      assert(String(lock).startsWith("<locked"), String(lock));
      assert(String(lock).includes(lock.label), String(lock));
      await lock.release();
    },
  },
  {
    name: "Lock: release of an unlocked lock throws RuntimeError",
    fn: async (ctx) => {
      const lock = ctx.make.Lock();
      assertErrorSays(await ctx.fails(() => lock.release()), RuntimeError, "un-acquired", lock.label);
      await lock.acquire();
      await lock.release();
      assertErrorSays(await ctx.fails(() => lock.release()), RuntimeError, "un-acquired", lock.label);
      assertEquals(await lock.locked(), false);
    },
  },
  {
    name: "Lock: is not reentrant: its holder waits on a second acquire until another thread releases",
    fn: async (ctx) => {
      const lock = ctx.make.Lock();
      const phase: string[] = [];
      const bunch = ctx.bunch(async () => {
        await lock.acquire();
        phase.push("first");
        assertEquals(await lock.acquire(false), false);
        await lock.acquire();
        phase.push("second");
        await lock.release();
      });
      await until(ctx, () => phase.length >= 1);
      await ctx.settle();
      assertEquals(phase, ["first"]);
      await lock.release();
      await bunch.join();
      assertEquals(phase, ["first", "second"]);
      assertEquals(await lock.locked(), false);
    },
  },
  {
    name: "Lock: can be released by a thread other than the one that acquired it",
    fn: async (ctx) => {
      const lock = ctx.make.Lock();
      await lock.acquire();
      await ctx.bunch(() => lock.release()).join();
      assertEquals(await lock.locked(), false);
      await ctx.bunch(() => lock.acquire()).join();
      assertEquals(await lock.locked(), true);
      await lock.release();
      assertEquals(await lock.acquire(false), true);
      await lock.release();
    },
  },
  {
    name: "Lock: is in a proper state after a timed-out acquire",
    fn: async (ctx) => {
      const lock = ctx.make.Lock();
      await lock.acquire();
      assertEquals(await lock.acquire(true, 10), false);
      await lock.release();
      assertEquals(await lock.locked(), false);
      assertEquals(await lock.acquire({ blocking: false }), true);
      await lock.release();
    },
  },
  {
    name: "Lock: acquireSync by its own holder on one thread throws DeadlockError",
    needs: ["syncTwins"],
    fn: async (ctx) => {
      const lock = ctx.make.Lock();
      await lock.acquire();
      assertEquals(lock.acquireSync(false), false);
      if (!ctx.backend.capabilities.blockingWait) {
        assertEquals(lock.acquireSync(true, 60_000), false);
        assertErrorSays(assertThrows(() => lock.acquireSync()), DeadlockError, lock.label, "MainThread");
      } else {
        assertEquals(lock.acquireSync(true, 20), false);
      }
      assertEquals(await lock.locked(), true);
      await lock.release();
    },
  },
]);
