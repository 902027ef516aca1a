/**
 * The schedule explorer: runs a scenario under many interleavings of its
 * threads, on a fresh cooperative scheduler each time, and reports the first
 * one that fails with its seed and a trace; `replay` runs that one again.
 *
 * @module
 */
import { getExcepthook, setExcepthook } from "../primitives/excepthook.ts";
import { RuntimeError, ValueError } from "../runtime/errors.ts";
import { SystemExit } from "../runtime/system_exit.ts";
import { describe } from "../runtime/describe.ts";
import { checkOptions } from "../runtime/options.ts";
import { currentIdentity } from "../runtime/current_thread.ts";
import { setDefaultOverride } from "../backends/mod.ts";
import { CooperativeBackend, schedulerOf } from "../backends/cooperative/backend.ts";
import { FifoStrategy, PctStrategy, RandomStrategy, type Strategy } from "../backends/cooperative/strategies.ts";

/** What the explorer runs: the body of a test, creating its own threads and primitives. */
export type Scenario = () => unknown;

/** How schedules are chosen. */
export type ExploreStrategy = "random" | "pct";

/** The options of {@linkcode replay}. */
export interface ReplayOptions {
  /**
   * How the next thread is chosen at each scheduling point: `random`
   * (uniformly, the default) or `pct` (Probabilistic Concurrency Testing:
   * random thread priorities with `depth - 1` priority change points).
   */
  strategy?: ExploreStrategy;
  /** PCT's bug depth: how many preemptions a bug may need (default 3). */
  depth?: number;
  /** A schedule that takes more steps than this fails as a livelock (default 100000). */
  maxSteps?: number;
}

/** The options of {@linkcode explore}. */
export interface ExploreOptions extends ReplayOptions {
  /** How many schedules to run at most (default 1000). */
  schedules?: number;
  /** The seed of the first schedule; schedule `i` uses `seed + i` (default 1). */
  seed?: number;
}

const REPLAY_OPTIONS: readonly (keyof ReplayOptions)[] = ["strategy", "depth", "maxSteps"];
const EXPLORE_OPTIONS: readonly (keyof ExploreOptions)[] = [...REPLAY_OPTIONS, "schedules", "seed"];

/** A failing schedule. */
export interface Failure {
  /** Its seed: `replay(scenario, seed)` runs it again. */
  seed: number;
  /** What failed: the scenario's error, a thread's uncaught error, or a `DeadlockError`. */
  error: unknown;
  /** One line per step: `[virtual time] thread: operation primitive`. */
  trace: string[];
}

/** What {@linkcode explore} found. */
export interface ExploreResult {
  /** No schedule failed. */
  ok: boolean;
  /** How many schedules ran (the failing one included). */
  schedules: number;
  /** The first failing schedule, if any. */
  failure?: Failure;
}

/** What {@linkcode replay} saw. */
export interface ReplayResult {
  /** The schedule did not fail. */
  ok: boolean;
  /** The failure, if it failed. */
  failure?: Failure;
  /** The schedule's trace, whether it failed or not. */
  trace: string[];
}

interface Settings {
  readonly strategy: ExploreStrategy;
  readonly depth: number;
  readonly maxSteps: number;
}

/**
 * Runs `scenario` under many schedules and stops at the first that fails.
 *
 * Each schedule runs the scenario on a fresh cooperative scheduler: inside
 * it, primitives and threads created without a `backend` option (or with
 * `"cooperative"`) belong to that scheduler, so the scenario must create
 * its own state. Threads switch only at the library's scheduling points
 * (acquire, wait, sleep, join, `yieldNow()`); the schedule's seed decides
 * who runs next at each one, and time is virtual.
 *
 * A schedule fails when the scenario throws or rejects (a failed assertion),
 * an exception escapes a thread (it would reach the excepthook), a
 * `DeadlockError` occurs, or it runs more than `maxSteps` steps. The result
 * gives the failing seed, the error and the trace; `replay(scenario, seed,
 * options)` with the same options runs that schedule again, step for step.
 *
 * The scenario runs as the calling thread. After it returns, its threads run
 * to their end (daemon threads are stopped once only they are left). While
 * a schedule runs, the explorer's own excepthook collects thread exceptions
 * (a scenario that sets another hook hides them from it). A scenario that
 * awaits something outside the library (a real timer, I/O) still runs, but
 * is only as reproducible as that outside world.
 *
 * PCT first runs the scenario once, oldest thread first, to learn how many
 * scheduling decisions a run takes (as shuttle does); `replay` does the
 * same, so a seed alone reproduces a schedule.
 *
 * @param scenario Creates threads and primitives, runs them, checks the outcome.
 * @param options `schedules` (1000), `seed` (1), `strategy` (`random`), `depth` (3), `maxSteps` (100000).
 * @returns Whether every schedule passed, how many ran, and the first failure.
 * @throws {TypeError} If `scenario` is not a function, or an option is unknown or has the wrong type.
 * @throws {ValueError} If an option is out of range, or `strategy` is unknown.
 * @throws {RuntimeError} If another `explore` or `replay` is running.
 *
 * @example Finding a lost update
 * ```ts
 * import { explore, Thread, yieldNow } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const result = await explore(async () => {
 *   let balance = 0;
 *   const deposit = async () => {
 *     const read = balance;
 *     await yieldNow();
 *     balance = read + 10;
 *   };
 *   const threads = [new Thread({ target: deposit }), new Thread({ target: deposit })];
 *   threads.forEach((t) => t.start());
 *   for (const t of threads) await t.join();
 *   assertEquals(balance, 20);
 * });
 * assertEquals(result.ok, false);
 * console.log(`seed ${result.failure!.seed}:\n${result.failure!.trace.join("\n")}`);
 * ```
 */
export async function explore(scenario: Scenario, options: ExploreOptions = {}): Promise<ExploreResult> {
  const settings = checkSettings("explore", scenario, options);
  const schedules = options.schedules ?? 1000;
  const first = options.seed ?? 1;
  checkInteger("explore", "schedules", schedules, 1);
  checkInteger("explore", "seed", first, -Number.MAX_SAFE_INTEGER);
  if (!Number.isSafeInteger(first + schedules)) {
    throw new ValueError(
      `Cannot explore as 'seed' + 'schedules' must be a safe integer: received ${first + schedules}`,
    );
  }
  return await exclusively("explore", async () => {
    const steps = await stepsOfOneRun(scenario, settings);
    for (let i = 0; i < schedules; i++) {
      const seed = first + i;
      // Untraced: a trace and the creation sites of primitives are made only for a failure, below.
      const run = await runSchedule(scenario, strategyFor(settings, seed, steps), settings.maxSteps, false);
      if (run.failed) {
        return { ok: false, schedules: i + 1, failure: await diagnose(scenario, settings, seed, steps, run) };
      }
    }
    return { ok: true, schedules };
  });
}

/**
 * Runs `scenario` under the schedule of `seed` again, exactly as
 * {@linkcode explore} ran it (pass the same `strategy` and `depth`): the same
 * interleaving, the same virtual times and the same trace, line for line.
 *
 * @param scenario The scenario given to `explore`.
 * @param seed The seed of the schedule (a failure's `seed`).
 * @param options `strategy`, `depth` and `maxSteps`, as given to `explore`.
 * @returns Whether it failed, the failure, and the trace.
 * @throws {TypeError} If `scenario` is not a function, or an option is unknown or has the wrong type.
 * @throws {ValueError} If an option is out of range, or `strategy` is unknown.
 * @throws {RuntimeError} If another `explore` or `replay` is running.
 *
 * @example Replaying a failing schedule
 * ```ts
 * import { explore, replay, Thread, yieldNow } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * async function scenario() {
 *   let hits = 0;
 *   const hit = async () => {
 *     const read = hits;
 *     await yieldNow();
 *     hits = read + 1;
 *   };
 *   const threads = [new Thread({ target: hit }), new Thread({ target: hit })];
 *   threads.forEach((t) => t.start());
 *   for (const t of threads) await t.join();
 *   assertEquals(hits, 2);
 * }
 * const { failure } = await explore(scenario);
 * const again = await replay(scenario, failure!.seed);
 * assertEquals(again.ok, false);
 * assertEquals(again.trace, failure!.trace);
 * ```
 */
export async function replay(scenario: Scenario, seed: number, options: ReplayOptions = {}): Promise<ReplayResult> {
  const settings = checkSettings("replay", scenario, options);
  checkInteger("replay", "seed", seed, -Number.MAX_SAFE_INTEGER);
  return await exclusively("replay", async () => {
    const steps = await stepsOfOneRun(scenario, settings);
    const run = await runSchedule(scenario, strategyFor(settings, seed, steps), settings.maxSteps, true);
    if (!run.failed) return { ok: true, trace: run.trace };
    return { ok: false, failure: { seed, error: run.error, trace: run.trace }, trace: run.trace };
  });
}

let exploring = false;

// A schedule sets the isolate's default backend and excepthook while it runs: one at a time.
async function exclusively<T>(what: string, fn: () => Promise<T>): Promise<T> {
  if (exploring) {
    throw new RuntimeError(
      `Cannot ${what} while another explore() or replay() runs in this isolate: each changes the default backend and the excepthook while it runs`,
    );
  }
  exploring = true;
  try {
    return await fn();
  } finally {
    exploring = false;
  }
}

interface Run {
  readonly failed: boolean;
  readonly error: unknown;
  readonly trace: string[];
}

// PCT places its change points among the decisions of a run: learn how many a run makes.
async function stepsOfOneRun(scenario: Scenario, settings: Settings): Promise<number> {
  if (settings.strategy !== "pct") return 0;
  const fifo = new FifoStrategy();
  await runSchedule(scenario, fifo, settings.maxSteps, false);
  return Math.max(1, fifo.decisions);
}

function strategyFor(settings: Settings, seed: number, steps: number): Strategy {
  return settings.strategy === "pct" ? new PctStrategy(seed, settings.depth, steps) : new RandomStrategy(seed);
}

/**
 * The failure of a schedule that failed untraced: the same seed again, traced
 * (the same seed makes the same interleaving), so the trace and the error's
 * report (a deadlock names where each primitive was made) are the ones
 * `replay` gives. A scenario that does not fail again is not deterministic
 * (it reads real time or `Math.random()`): the first error stands, and the
 * trace says why it is missing.
 */
async function diagnose(
  scenario: Scenario,
  settings: Settings,
  seed: number,
  steps: number,
  run: Run,
): Promise<Failure> {
  const again = await runSchedule(scenario, strategyFor(settings, seed, steps), settings.maxSteps, true);
  if (again.failed) return { seed, error: again.error, trace: again.trace };
  return {
    seed,
    error: run.error,
    trace: ["(no trace: the schedule did not fail again when run with tracing on; is the scenario deterministic?)"],
  };
}

async function runSchedule(scenario: Scenario, strategy: Strategy, maxSteps: number, traced: boolean): Promise<Run> {
  const backend = new CooperativeBackend();
  const scheduler = schedulerOf(backend);
  const trace: string[] = [];
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    if (failure !== undefined) return;
    failure = { error };
    scheduler.stop();
  };
  scheduler.configure({ strategy, trace: traced ? trace : undefined, maxSteps, onFailure: fail });
  const previousHook = getExcepthook();
  setExcepthook((args) => fail(args.excValue));
  setDefaultOverride(() => backend);
  const main = currentIdentity();
  scheduler.adopt(main);
  try {
    try {
      await scenario();
    } catch (error) {
      // A scenario that ends with `exitThread()` ends quietly, as a Python program does.
      if (!(error instanceof SystemExit)) fail(error);
    }
    scheduler.retire(main);
    await scheduler.settled();
  } finally {
    setDefaultOverride(undefined);
    setExcepthook(previousHook);
  }
  return { failed: failure !== undefined, error: failure?.error, trace };
}

function checkSettings(what: string, scenario: Scenario, options: ReplayOptions): Settings {
  if (typeof scenario !== "function") {
    throw new TypeError(`Cannot ${what} as 'scenario' must be a function: received ${describe(scenario)}`);
  }
  checkOptions(what, options, what === "explore" ? EXPLORE_OPTIONS : REPLAY_OPTIONS);
  const strategy = options.strategy ?? "random";
  if (strategy !== "random" && strategy !== "pct") {
    throw new ValueError(`Cannot ${what} as 'strategy' must be "random" or "pct": received ${describe(strategy)}`);
  }
  const depth = options.depth ?? 3;
  checkInteger(what, "depth", depth, 1);
  const maxSteps = options.maxSteps ?? 100_000;
  checkInteger(what, "maxSteps", maxSteps, 1);
  return { strategy, depth, maxSteps };
}

function checkInteger(what: string, name: string, value: unknown, min: number): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new TypeError(`Cannot ${what} as '${name}' must be an integer: received ${describe(value)}`);
  }
  if (value < min) throw new ValueError(`Cannot ${what} as '${name}' must be >= ${min}: received ${value}`);
}
