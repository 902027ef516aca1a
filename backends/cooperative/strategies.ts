/**
 * How the cooperative scheduler picks the next thread: a seeded choice.
 *
 * - `random`: uniformly among the runnable threads at every scheduling point.
 * - `pct`: Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS
 *   2010), as awslabs/shuttle and Coyote run it: every thread gets a random
 *   priority, the highest-priority runnable thread always runs, and at
 *   `depth - 1` randomly chosen steps the running thread drops below every
 *   other. A bug that needs `d` specific preemptions is found with
 *   probability at least `1 / (n * k^(d-1))` per schedule (n threads, k
 *   steps). An explicit `yieldNow()` also drops the yielding thread, so a
 *   thread that spins on it lets the others run.
 * - `fifo`: the oldest runnable thread, always (no choice at all; PCT uses
 *   it once to learn how many steps a run takes).
 *
 * @module
 */
import type { ThreadIdentity } from "../../runtime/current_thread.ts";

/** A runnable continuation, as a strategy sees it. */
export interface Candidate {
  /** The thread it belongs to. */
  readonly thread: ThreadIdentity;
}

/** Picks the next continuation to run. */
export interface Strategy {
  /**
   * Chooses among two or more candidates, oldest first.
   *
   * @param ready The runnable continuations, oldest first.
   * @param current The thread that ran last, if any.
   * @param yielding Whether it gave way with an explicit `yieldNow()`.
   * @returns The index of the chosen candidate.
   */
  pick(ready: readonly Candidate[], current: ThreadIdentity | undefined, yielding: boolean): number;
  /** How many real choices (two or more threads runnable) were made. */
  readonly decisions: number;
}

/**
 * A small seeded PRNG (xorshift32, its state scrambled from the seed), so a
 * seed gives the same sequence on every platform.
 */
export class SeededRandom {
  #state: number;

  /** @param seed Any safe integer; nearby seeds give unrelated sequences. */
  constructor(seed: number) {
    // Fold the high bits in, then scramble (a 32-bit finaliser in the manner of murmur3).
    let z = (seed ^ Math.floor(seed / 0x100000000)) + 0x9e3779b9 | 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    this.#state = z === 0 ? 0x6d2b79f5 : z;
  }

  /** A float in [0, 1). */
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x;
    return (x >>> 0) / 0x100000000;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Always the oldest runnable continuation. */
export class FifoStrategy implements Strategy {
  /** Real choices made. */
  decisions = 0;

  /** Picks index 0. */
  pick(ready: readonly Candidate[]): number {
    if (distinctThreads(ready) > 1) this.decisions++;
    return 0;
  }
}

/** Uniformly random among the runnable continuations. */
export class RandomStrategy implements Strategy {
  /** Real choices made. */
  decisions = 0;
  readonly #random: SeededRandom;

  /** @param seed The schedule's seed. */
  constructor(seed: number) {
    this.#random = new SeededRandom(seed);
  }

  /** Picks uniformly. */
  pick(ready: readonly Candidate[]): number {
    this.decisions++;
    return this.#random.below(ready.length);
  }
}

/** PCT: random priorities plus `depth - 1` priority change points. */
export class PctStrategy implements Strategy {
  /** Real choices made (the step counter of the change points). */
  decisions = 0;
  readonly #random: SeededRandom;
  readonly #priorities = new Map<ThreadIdentity, number>();
  readonly #changePoints = new Set<number>();
  // Dropped threads get priorities below every initial one, each lower than the last.
  #lowest = 0;

  /**
   * @param seed The schedule's seed.
   * @param depth The bug depth aimed at: `depth - 1` change points.
   * @param steps How many real choices a run makes (learned from a first run).
   */
  constructor(seed: number, depth: number, steps: number) {
    this.#random = new SeededRandom(seed);
    const points = Math.min(depth - 1, steps);
    while (this.#changePoints.size < points) this.#changePoints.add(1 + this.#random.below(steps));
  }

  /** Picks the runnable thread of highest priority. */
  pick(ready: readonly Candidate[], current: ThreadIdentity | undefined, yielding: boolean): number {
    const priorities = this.#priorities;
    // A thread seen for the first time gets a random place among the others.
    for (const { thread } of ready) {
      if (!priorities.has(thread)) priorities.set(thread, 1 + this.#random.next());
    }
    if (distinctThreads(ready) > 1) {
      this.decisions++;
      if (current !== undefined && (yielding || this.#changePoints.has(this.decisions))) {
        priorities.set(current, --this.#lowest);
      }
    }
    let best = 0;
    let bestPriority = -Infinity;
    for (let i = 0; i < ready.length; i++) {
      const priority = priorities.get(ready[i].thread) ?? 0;
      if (priority > bestPriority) {
        best = i;
        bestPriority = priority;
      }
    }
    return best;
  }
}

function distinctThreads(ready: readonly Candidate[]): number {
  const first = ready[0]?.thread;
  for (let i = 1; i < ready.length; i++) if (ready[i].thread !== first) return 2;
  return ready.length === 0 ? 0 : 1;
}
