/**
 * Property tests of the primitives against sequential models: a family is
 * a generator of random programs (threads of operations on primitives) and
 * a scenario that runs one program on the `cooperative` backend, logs what
 * each operation returned, and checks the log against a model of Python's
 * semantics, throwing a {@linkcode Violation} where they disagree.
 *
 * {@linkcode checkFamily} runs each generated program under `explore`
 * (random and PCT schedules); fast-check shrinks a failing program to a
 * minimal one, and the failure carries the explorer's seed, so that
 * `replay(family.scenario(program), seed, { strategy })` shows it again,
 * step by step.
 *
 * Why the log is a valid sequential history: the cooperative scheduler
 * runs one thread at a time and switches only inside the library's calls,
 * so what a thread logs right after a call returns comes before anything
 * another thread does next. A grant handed over by a release is logged when
 * its receiver runs, which is later: the models allow for that (a holder
 * seen in the log is a holder in fact, not always the other way round).
 *
 * @module
 */
import fc from "fast-check";
import { explore, type ExploreStrategy, type Failure, Thread } from "@locksmith/threading";

/** A family of programs and how to run one. */
export interface Family<P> {
  /** What it covers, for messages. */
  readonly name: string;
  /** Random programs. */
  readonly programs: fc.Arbitrary<P>;
  /** Runs a program and checks it against the model; throws a {@linkcode Violation} if they disagree. */
  scenario(program: P): () => Promise<void>;
}

/** A disagreement between what a primitive did and what the model allows. */
export class Violation extends Error {
  /**
   * @param message What the model expected, and the log up to the event that broke it.
   */
  constructor(message: string) {
    super(message);
    this.name = "Violation";
  }
}

/** What happened, in the order the scheduler ran it. */
export class History<E> {
  readonly events: E[] = [];

  /** Logs an event. */
  push(event: E): void {
    this.events.push(event);
  }

  /** Throws a {@linkcode Violation} about event `index`, with the log up to it. */
  fail(index: number, why: string): never {
    const shown = this.events.slice(Math.max(0, index - 12), index + 1).map((e, i, all) =>
      `${i === all.length - 1 ? ">" : " "} ${JSON.stringify(e)}`
    );
    throw new Violation(`${why} (event ${index})\n${shown.join("\n")}`);
  }
}

/** Starts one thread per body, named t0, t1, ..., and waits for all of them. */
export async function runThreads(bodies: readonly (() => Promise<void>)[]): Promise<void> {
  const threads = bodies.map((body, i) => new Thread({ name: `t${i}`, target: body }));
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
}

/** How many schedules each program runs under, per strategy. */
export interface Budget {
  /** How many programs fast-check generates (before shrinking). */
  readonly runs: number;
  /** Schedules per program and strategy. */
  readonly schedules: number;
  /** The strategies each program runs under. */
  readonly strategies: readonly ExploreStrategy[];
  /** fast-check's seeds (each generates `runs` programs): fixed, so that a run is repeatable. */
  readonly seeds: readonly number[];
}

/** The default budget: a few seconds per family. */
export const BUDGET: Budget = { runs: 80, schedules: 10, strategies: ["random", "pct"], seeds: [1, 2, 3] };

/** A failing program, shrunk, with the schedule that shows it. */
export interface FamilyFailure<P> {
  /** The smallest failing program fast-check found. */
  readonly program: P;
  /** The strategy and the explorer's seed of the failing schedule: `replay(scenario(program), seed, { strategy })`. */
  readonly strategy: ExploreStrategy;
  readonly seed: number;
  /** What failed (a {@linkcode Violation}, a `DeadlockError`, ...). */
  readonly error: unknown;
  /** The schedule's trace. */
  readonly trace: string[];
  /** fast-check's seed and path, to generate the same program again. */
  readonly fastCheck: { readonly seed: number; readonly path: string | undefined; readonly shrinks: number };
}

/** Thrown by the property when a schedule of a program fails. */
class ScheduleFailed extends Error {
  constructor(readonly strategy: ExploreStrategy, readonly failure: Failure) {
    super(`${strategy} schedule with seed ${failure.seed} failed: ${String(failure.error)}`);
  }
}

/**
 * Runs every generated program of `family` under `budget`'s schedules;
 * returns `undefined` if all pass, else the shrunk failing program.
 */
export async function checkFamily<P>(
  family: Family<P>,
  budget: Budget = BUDGET,
): Promise<FamilyFailure<P> | undefined> {
  const property = fc.asyncProperty(family.programs, async (program) => {
    for (const strategy of budget.strategies) {
      const result = await explore(family.scenario(program), { schedules: budget.schedules, strategy, seed: 1 });
      if (!result.ok) throw new ScheduleFailed(strategy, result.failure!);
    }
  });
  for (const seed of budget.seeds) {
    const details = await fc.check(property, { numRuns: budget.runs, seed });
    if (details.failed) return failureOf(details);
  }
  return undefined;
}

function failureOf<P>(details: fc.RunDetails<[P]>): FamilyFailure<P> {
  const error = details.errorInstance;
  if (!(error instanceof ScheduleFailed)) throw error;
  return {
    program: details.counterexample![0],
    strategy: error.strategy,
    seed: error.failure.seed,
    error: error.failure.error,
    trace: error.failure.trace,
    fastCheck: { seed: details.seed, path: details.counterexamplePath ?? undefined, shrinks: details.numShrinks },
  };
}

/** A failure as text: the program, how to replay it, and why it failed. */
export function describeFailure<P>(family: Family<P>, failure: FamilyFailure<P>): string {
  return [
    `${family.name}: a program breaks the model`,
    `program: ${JSON.stringify(failure.program)}`,
    `replay(scenario(program), ${failure.seed}, { strategy: "${failure.strategy}" })`,
    `fast-check seed ${failure.fastCheck.seed}, path ${failure.fastCheck.path}, ${failure.fastCheck.shrinks} shrinks`,
    `error: ${failure.error instanceof Error ? failure.error.message : String(failure.error)}`,
    `trace (last lines):`,
    ...failure.trace.slice(-15),
  ].join("\n");
}
