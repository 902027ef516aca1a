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
import { assertEquals } from "@std/assert";
import type { Backend, Capabilities } from "../../backends/types.ts";
import { pendingWaits, runningThreads } from "../../runtime/pending.ts";
import { asyncBackend } from "../../backends/async/mod.ts";
import { Thread } from "../../primitives/thread.ts";
import { sleep } from "../../primitives/time.ts";
import { getExcepthook, setExcepthook } from "../../primitives/excepthook.ts";

/** What a case receives. */
export interface CaseContext {
  /** The backend under test: pass it as `{ backend }` to everything. */
  readonly backend: Backend;
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
  /** Capabilities the case needs; it is ignored on a backend that lacks one. */
  readonly needs?: readonly (keyof Capabilities)[];
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
  for (const c of cases) {
    const missing = (c.needs ?? []).filter((need) => !backend.capabilities[need]);
    Deno.test({
      name: `[${backend.name}] ${c.name}`,
      // Ignored only by a declared capability of the backend.
      ignore: missing.length > 0,
      fn: () => runCase(backend, c),
    });
  }
}

async function runCase(backend: Backend, c: Case): Promise<void> {
  const escaped: unknown[] = [];
  const previousHook = getExcepthook();
  setExcepthook((args) => escaped.push(args.excValue));
  const started: Thread[] = [];
  const ctx: CaseContext = {
    backend,
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
  }
  if (!c.allowsEscapes) assertEquals(escaped, [], "an exception escaped a thread");
  assertEquals(started.filter((t) => t.isAlive()).map((t) => t.name), [], "threads left running");
  assertEquals(runningThreads(), [], "threads left running");
  assertEquals(pendingWaits(), [], "waiters left behind");
}
