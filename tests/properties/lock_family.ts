/**
 * Locks and semaphores: each thread runs critical sections, each on one of
 * the program's primitives (`Lock`, `RLock`, `Semaphore(n)`,
 * `BoundedSemaphore(n)`): acquire (blocking, non-blocking or timed), for an
 * `RLock` acquire again (reentrancy), a few scheduling points, release. No
 * section holds two primitives, so every program can finish.
 *
 * The model is a count of holders per primitive. Checked: a grant never
 * takes the holders above the capacity (no double grant; an `RLock` never
 * has two owners), a non-blocking acquire fails only while the capacity is
 * taken or a grant may be on its way to a waiter, every blocking acquire
 * returns (a lost wake-up is a deadlock the scheduler reports), and at the
 * end every lock is free and every semaphore has its value back (permits
 * are conserved).
 *
 * @module
 */
import fc from "fast-check";
import { BoundedSemaphore, Lock, RLock, Semaphore, yieldNow } from "@locksmith/threading";
import { type Family, History, runThreads } from "./harness.ts";

/** The classes. */
export type LockKind = "Lock" | "RLock" | "Semaphore" | "BoundedSemaphore";

/** One primitive of a program: its class, and its value for a semaphore. */
export interface LockSpec {
  readonly kind: LockKind;
  readonly value: number;
}

/** A critical section. */
export interface Section {
  /** Which of the program's primitives. */
  readonly on: number;
  readonly mode: "block" | "try" | "timeout";
  /** Scheduling points while holding it. */
  readonly yields: number;
}

/** A program: its primitives and each thread's sections. */
export interface LockProgram {
  readonly locks: readonly LockSpec[];
  readonly threads: readonly (readonly Section[])[];
}

/** The lock-like interface the family drives (a broken stand-in may be given instead). */
export interface Acquirable {
  acquire(blocking?: boolean, timeout?: number): Promise<boolean>;
  release(): void;
}

type Event = { t: string; p: number; op: "call" | "acquired" | "refused" | "timed out" | "again" | "release" };

const spec = fc.oneof(
  fc.record({ kind: fc.constantFrom<LockKind>("Lock", "RLock"), value: fc.constant(1) }),
  fc.record({
    kind: fc.constantFrom<LockKind>("Semaphore", "BoundedSemaphore"),
    value: fc.integer({ min: 1, max: 2 }),
  }),
);

/**
 * Random programs: 1-3 primitives, 2-3 threads of 1-4 sections. (A section
 * names its primitive modulo their number, so that fast-check can drop a
 * primitive while shrinking, and a program keeps only the primitives its
 * sections use.)
 */
export const lockPrograms: fc.Arbitrary<LockProgram> = fc
  .record({
    locks: fc.array(spec, { minLength: 1, maxLength: 3 }),
    threads: fc.array(
      fc.array(
        fc.record({
          on: fc.nat(2),
          mode: fc.constantFrom<Section["mode"]>("block", "try", "timeout"),
          yields: fc.integer({ min: 0, max: 2 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      { minLength: 2, maxLength: 3 },
    ),
  })
  .map(({ locks, threads }) => {
    const sections = threads.map((ss) => ss.map((s) => ({ ...s, on: s.on % locks.length })));
    // Only the primitives some section uses, renumbered: a shrunk program shows no idle one.
    const used = [...new Set(sections.flat().map((s) => s.on))].sort();
    return {
      locks: used.map((i) => locks[i]),
      threads: sections.map((ss) => ss.map((s) => ({ ...s, on: used.indexOf(s.on) }))),
    };
  });

/** Makes the primitives of a program: the library's, unless a test passes a stand-in. */
export type LockMaker = (spec: LockSpec) => Acquirable;

const realLock: LockMaker = ({ kind, value }) => {
  switch (kind) {
    case "Lock":
      return new Lock();
    case "RLock":
      return new RLock();
    case "Semaphore":
      return new Semaphore(value);
    case "BoundedSemaphore":
      return new BoundedSemaphore(value);
  }
};

/** Checks the history against the holder-count model. */
export function checkLockHistory(history: History<Event>, program: LockProgram): void {
  const holders = program.locks.map(() => new Map<string, number>());
  const pending = program.locks.map(() => new Set<string>());
  history.events.forEach((e, i) => {
    const held = holders[e.p];
    const { kind, value } = program.locks[e.p];
    const total = () => [...held.values()].reduce((a, b) => a + b, 0);
    switch (e.op) {
      case "call":
        pending[e.p].add(e.t);
        break;
      case "acquired":
        pending[e.p].delete(e.t);
        if (kind === "Lock" || kind === "RLock") {
          if (held.size > 0) history.fail(i, `${kind} granted to ${e.t} while ${[...held.keys()]} holds it`);
        } else if (total() >= value) {
          history.fail(i, `${kind}(${value}) granted a permit to ${e.t} while ${total()} are taken`);
        }
        held.set(e.t, (held.get(e.t) ?? 0) + 1);
        break;
      case "again":
        if (held.get(e.t) === undefined) history.fail(i, `RLock re-acquired by ${e.t}, which does not own it`);
        held.set(e.t, held.get(e.t)! + 1);
        break;
      case "refused": {
        pending[e.p].delete(e.t);
        const others = [...pending[e.p]].filter((t) => t !== e.t);
        const full = kind === "Lock" || kind === "RLock" ? held.size > 0 : total() >= value;
        // A free primitive refuses only while a grant may be on its way to a waiter that has not run yet.
        if (!full && others.length === 0) history.fail(i, `${kind} refused ${e.t} although it is free`);
        break;
      }
      case "timed out":
        pending[e.p].delete(e.t);
        break;
      case "release": {
        const n = held.get(e.t);
        if (n === undefined) history.fail(i, `${e.t} released ${kind} it does not hold`);
        if (n === 1) held.delete(e.t);
        else held.set(e.t, n - 1);
        break;
      }
    }
  });
}

/** Runs one critical section; logs each step. */
async function section(lock: Acquirable, s: Section, spec: LockSpec, log: History<Event>, t: string) {
  log.push({ t, p: s.on, op: "call" });
  const got = s.mode === "block"
    ? await lock.acquire()
    : s.mode === "try"
    ? await lock.acquire(false)
    : await lock.acquire(true, 2);
  if (!got) return log.push({ t, p: s.on, op: s.mode === "try" ? "refused" : "timed out" });
  log.push({ t, p: s.on, op: "acquired" });
  let depth = 1;
  if (spec.kind === "RLock") {
    // A second acquire by the owner returns at once, even non-blocking.
    if (!(await lock.acquire(false))) throw new Error(`RLock refused its owner ${t}`);
    log.push({ t, p: s.on, op: "again" });
    depth = 2;
  }
  for (let i = 0; i < s.yields; i++) await yieldNow();
  while (depth-- > 0) {
    log.push({ t, p: s.on, op: "release" });
    lock.release();
  }
}

/** The lock family, on the library's primitives or on stand-ins made by `make`. */
export function lockFamily(make: LockMaker = realLock, name = "locks and semaphores"): Family<LockProgram> {
  return {
    name,
    programs: lockPrograms,
    scenario: (program) => async () => {
      const locks = program.locks.map(make);
      const log = new History<Event>();
      await runThreads(program.threads.map((sections, n) => async () => {
        for (const s of sections) await section(locks[s.on], s, program.locks[s.on], log, `t${n}`);
      }));
      checkLockHistory(log, program);
      program.locks.forEach((spec, p) => {
        const lock = locks[p];
        if (lock instanceof Lock || lock instanceof RLock) {
          if (lock.locked()) throw new Error(`${spec.kind} #${p} is still locked after every section ended`);
        } else if (lock instanceof Semaphore && lock.value !== spec.value) {
          throw new Error(
            `${spec.kind}(${spec.value}) #${p} ends with value ${lock.value}: permits were not conserved`,
          );
        }
      });
    },
  };
}
