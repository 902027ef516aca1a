/**
 * The conformance suite's runner: every case receives the backend under
 * test, and a backend is put under the whole suite by a test file of a few
 * lines (`tests/async_test.ts`). Tests are named `[backend] Primitive:
 * behaviour`, so `deno test --filter "[async]"` picks one backend.
 *
 * After every case the runner checks that the case left no waiter and no
 * thread behind (the library's own registry: Deno's sanitizers cannot see a
 * parked promise).
 *
 * @module
 */
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import type { Backend, Capabilities } from "../../backends/types.ts";
import { pendingWaits, runningThreads } from "../../runtime/pending.ts";
import { asyncBackend } from "../../backends/async/mod.ts";
import { Thread } from "../../primitives/thread.ts";
import { sleep } from "../../primitives/time.ts";
import { getExcepthook, setExcepthook } from "../../primitives/excepthook.ts";
import { Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore } from "@locksmith/threading";
import { LifoQueue, PriorityQueue, Queue, type QueueOptions } from "@locksmith/threading/queue";

/**
 * What a target of the suite can do besides its backend's capabilities. A
 * backend's primitives have them all; a distributed engine's have none.
 */
export interface SuiteCapabilities extends Capabilities {
  /** `...Sync` twins exist. */
  readonly syncTwins: boolean;
  /**
   * Primitives are objects of this isolate: `Lock#3` labels and their `toString`, internals such as
   * `isOwned`, writable `maxsize`, `PriorityQueue`, structured clones.
   */
  readonly inProcess: boolean;
  /** Calls that never wait (`release`, `set`, `qsize`...) return at once and throw at once. */
  readonly synchronousCalls: boolean;
  /** `PriorityQueue` exists. */
  readonly priorityQueue: boolean;
  /** `SimpleQueue` exists. */
  readonly simpleQueue: boolean;
}

/**
 * Makes the primitives a case uses, on the target under test. Options
 * omitted are the target's (`ctx.options` on a backend); a case that checks
 * bad options passes its own.
 */
export interface Make {
  Lock(options?: unknown): Lock;
  RLock(options?: unknown): RLock;
  /** Over `lock`, or (omitted or `null`) a new default lock. */
  Condition(lock?: unknown, options?: unknown): Condition;
  Semaphore(value?: number, options?: unknown): Semaphore;
  BoundedSemaphore(value?: number, options?: unknown): BoundedSemaphore;
  Event(options?: unknown): Event;
  Barrier(parties: number, action?: unknown, timeout?: number | null, options?: unknown): Barrier;
  Queue<T>(maxsize?: number, options?: unknown): Queue<T>;
  LifoQueue<T>(maxsize?: number, options?: unknown): LifoQueue<T>;
  PriorityQueue<T>(maxsize?: number, options?: unknown): PriorityQueue<T>;
  /** What error messages about `cond`'s default lock name it by. */
  conditionLockLabel(cond: Condition): string;
}

/** What a case receives. */
export interface CaseContext {
  /** The backend under test (a distributed target's local backend): pass it as `{ backend }` to everything. */
  readonly backend: Backend;
  /** Makes the primitives under test. */
  readonly make: Make;
  /** What the target can do. */
  readonly has: SuiteCapabilities;
  /**
   * Calls `fn`, which must fail: throw at once where calls are synchronous, or reject where they
   * return Promises. Returns the error (checked against `ErrorClass` and `includes` as `assertThrows` does).
   */
  fails(fn: () => unknown, ErrorClass?: abstract new (...args: never[]) => Error, includes?: string): Promise<Error>;
  /** Disposes a guard, sync or async. */
  dispose(guard: Disposable | AsyncDisposable): Promise<void>;
  /** How many threads of this isolate are parked in `op` (`get`, `put`...) of the primitives under test. */
  parked(op: string): number;
  /** `{ backend }`, for constructors. */
  readonly options: { readonly backend: Backend };
  /**
   * Starts `n` threads, each running `fn(i)`, like CPython's `Bunch`. Await
   * `join()` of the result before the case ends. The threads run on the
   * backend under test when it takes function targets; otherwise (`atomics`,
   * whose threads are Workers) they are tasks of this isolate on the `async`
   * backend, still using the primitives of the backend under test, whose
   * cross-Worker behaviour has cases of its own.
   */
  bunch(fn: (i: number) => unknown, n?: number): Bunch;
  /** Sleeps on the backend's clock. */
  sleep(ms: number): Promise<void>;
  /** Sleeps a few scheduling rounds, letting started threads reach their waits. */
  settle(): Promise<void>;
  /** Exceptions that escaped threads during the case (the excepthook collects them). */
  readonly escaped: unknown[];
}

/** A group of started threads. */
export interface Bunch {
  /** The threads. */
  readonly threads: Thread[];
  /** How many have finished. */
  finished(): number;
  /** Waits for all of them. */
  join(): Promise<void>;
}

/** One behaviour of one primitive. */
export interface Case {
  /** `Primitive: behaviour`. */
  readonly name: string;
  /** Capabilities the case needs; it is ignored on a target that lacks one. */
  readonly needs?: readonly (keyof SuiteCapabilities)[];
  /** The body. */
  readonly fn: (ctx: CaseContext) => Promise<void> | void;
  /** The case expects exceptions to escape threads (checked by itself). */
  readonly allowsEscapes?: boolean;
}

/** Helps a case file say its cases. */
export function defineCases(cases: Case[]): Case[] {
  return cases;
}

/**
 * Registers one `Deno.test` per case for `backend`.
 *
 * @param backend The backend under test.
 * @param cases The cases (all of `tests/conformance/mod.ts` by default).
 */
export function runConformance(backend: Backend, cases: readonly Case[]): void {
  runTarget({
    name: backend.name,
    backend,
    capabilities: {
      ...backend.capabilities,
      syncTwins: true,
      inProcess: true,
      synchronousCalls: true,
      priorityQueue: true,
      simpleQueue: true,
    },
    open: () => Promise.resolve({ make: backendMake(backend), close: () => Promise.resolve() }),
  }, cases);
}

/** A target of the suite: a backend, or a distributed engine over a local backend. */
export interface Target {
  /** The test-name prefix: `[name] Primitive: behaviour`. */
  readonly name: string;
  /** The local backend (threads, clock, local waits). */
  readonly backend: Backend;
  /** What it can do. */
  readonly capabilities: SuiteCapabilities;
  /** Set when the whole target cannot run here (declared, with how to get it). */
  readonly unavailable?: string;
  /** Opens what one case uses; `close` runs before the case's leak checks. */
  open(): Promise<{ make: Make; close(): Promise<void> }>;
}

/**
 * Registers one `Deno.test` per case for `target`.
 *
 * @param target The target under test.
 * @param cases The cases.
 */
export function runTarget(target: Target, cases: readonly Case[]): void {
  for (const c of cases) {
    const missing = (c.needs ?? []).filter((need) => !target.capabilities[need]);
    Deno.test({
      name: `[${target.name}] ${c.name}`,
      // Ignored only by a declared capability of the target.
      ignore: missing.length > 0 || target.unavailable !== undefined,
      fn: () => runCase(target, c),
    });
  }
}

/** The factory of a backend's own primitives. */
function backendMake(backend: Backend): Make {
  const options = { backend };
  const or = (given: unknown) => given === undefined ? options : given;
  return {
    Lock: (o) => new Lock(or(o) as never),
    RLock: (o) => new RLock(or(o) as never),
    Condition: (lock, o) =>
      lock === undefined || lock === null
        ? new Condition(lock, or(o) as never)
        : new Condition(lock as never, o as never),
    Semaphore: (value, o) => new Semaphore(value, or(o) as never),
    BoundedSemaphore: (value, o) => new BoundedSemaphore(value, or(o) as never),
    Event: (o) => new Event(or(o) as never),
    Barrier: (parties, action, timeout, o) => new Barrier(parties, action as never, timeout, or(o) as never),
    Queue: <T>(maxsize?: number, o?: unknown) => new Queue<T>(maxsize, or(o) as QueueOptions),
    LifoQueue: <T>(maxsize?: number, o?: unknown) => new LifoQueue<T>(maxsize, or(o) as QueueOptions),
    PriorityQueue: <T>(maxsize?: number, o?: unknown) => new PriorityQueue<T>(maxsize, or(o) as never),
    conditionLockLabel: () => "RLock#",
  };
}

async function runCase(target: Target, c: Case): Promise<void> {
  const backend = target.backend;
  const escaped: unknown[] = [];
  const previousHook = getExcepthook();
  setExcepthook((args) => escaped.push(args.excValue));
  const started: Thread[] = [];
  const opened = await target.open();
  const has = target.capabilities;
  const ctx: CaseContext = {
    backend,
    make: opened.make,
    has,
    async fails(fn, ErrorClass, includes) {
      if (has.synchronousCalls) return assertThrows(fn, ErrorClass as never, includes) as Error;
      return await assertRejects(
        async () => {
          await fn();
        },
        ErrorClass as never,
        includes,
      ) as Error;
    },
    async dispose(guard) {
      if (Symbol.asyncDispose in guard) await guard[Symbol.asyncDispose]();
      else guard[Symbol.dispose]();
    },
    parked: (op) => pendingWaits().filter((w) => w.op === (has.inProcess ? op : "wait")).length,
    options: { backend },
    escaped,
    sleep: (ms) => sleep(ms, { backend }),
    settle: async () => {
      for (let i = 0; i < 5; i++) await sleep(1, { backend });
    },
    bunch(fn, n = 1) {
      let done = 0;
      const threadBackend = backend.capabilities.functionTargets ? backend : asyncBackend;
      const threads = Array.from({ length: n }, (_, i) =>
        new Thread({
          backend: threadBackend,
          name: `bunch-${i}`,
          target: async () => {
            try {
              await fn(i);
            } finally {
              done++;
            }
          },
        }));
      started.push(...threads);
      threads.forEach((t) => t.start());
      return {
        threads,
        finished: () => done,
        join: async () => {
          for (const t of threads) await t.join();
        },
      };
    },
  };
  try {
    await c.fn(ctx);
  } finally {
    setExcepthook(previousHook);
    await opened.close();
  }
  if (!c.allowsEscapes) assertEquals(escaped, [], "an exception escaped a thread");
  assertEquals(started.filter((t) => t.isAlive()).map((t) => t.name), [], "threads left running");
  assertEquals(runningThreads(), [], "threads left running");
  assertEquals(pendingWaits(), [], "waiters left behind");
}
