/**
 * Event and Barrier.
 *
 * Event: setter threads set (and, in programs without waits forever,
 * clear) the event and read `isSet()`; waiter threads wait forever (only
 * when nothing clears it) or with a timeout. The model is the flag. Checked:
 * `isSet()` is the model's flag; a wait that returns true started with the
 * flag set or saw a `set()` while it waited; a wait forever returns true and
 * is never left behind (a lost wake-up is a deadlock the scheduler
 * reports); where nothing clears, a timed wait that started after a `set()`
 * returns true and one that returns false started before any.
 *
 * Barrier: every thread passes the barrier the same number of times, with
 * scheduling points between. Checked: each cycle returns the indices
 * 0..parties-1 once each, its action runs once per cycle, before any wait
 * of that cycle returns.
 *
 * @module
 */
import fc from "fast-check";
import { Barrier, Event, sleep, yieldNow } from "@locksmith/threading";
import { type Family, History, runThreads } from "./harness.ts";

/** An Event program: what each setter and each waiter thread does. */
export interface EventProgram {
  readonly setters: readonly (readonly ("set" | "clear" | "isSet" | "yield")[])[];
  readonly waiters: readonly (readonly ("forever" | "timeout" | "isSet")[])[];
}

type EventLog =
  | { t: string; op: "set" | "clear" }
  | { t: string; op: "isSet"; value: boolean }
  | { t: string; op: "wait"; forever: boolean }
  | { t: string; op: "waited"; forever: boolean; value: boolean };

/** Random Event programs: 1-2 setters (one sets at least once) and 1-2 waiters. */
export const eventPrograms: fc.Arbitrary<EventProgram> = fc
  .record({
    setters: fc.array(fc.array(fc.constantFrom("set" as const, "clear", "isSet", "yield"), { maxLength: 4 }), {
      minLength: 1,
      maxLength: 2,
    }),
    waiters: fc.array(fc.array(fc.constantFrom("forever" as const, "timeout", "isSet"), { maxLength: 3 }), {
      minLength: 1,
      maxLength: 2,
    }),
  })
  .map((p) => {
    const clears = p.setters.flat().includes("clear");
    // A wait forever needs a set() that no clear() can undo.
    const waiters = clears ? p.waiters.map((ops) => ops.map((op) => op === "forever" ? "timeout" : op)) : p.waiters;
    const setters = p.setters.flat().includes("set") ? p.setters : [["set" as const], ...p.setters.slice(1)];
    return { setters, waiters };
  });

/** Checks an Event history against the flag. */
export function checkEventHistory(history: History<EventLog>, clears: boolean): boolean {
  let flag = false;
  let sets = 0;
  const started = new Map<string, { flag: boolean; sets: number }>();
  history.events.forEach((e, i) => {
    switch (e.op) {
      case "set":
        flag = true;
        sets++;
        break;
      case "clear":
        flag = false;
        break;
      case "isSet":
        if (e.value !== flag) history.fail(i, `isSet() is ${e.value} where the model's flag is ${flag}`);
        break;
      case "wait":
        started.set(e.t, { flag, sets });
        break;
      case "waited": {
        const start = started.get(e.t)!;
        if (e.forever && !e.value) history.fail(i, "wait() with no timeout returned false");
        if (e.value && !start.flag && start.sets === sets) {
          history.fail(i, "wait() returned true with the flag clear at its start and no set() since");
        }
        if (!clears && !e.value && start.flag) history.fail(i, "wait() timed out although set() came before it");
        break;
      }
    }
  });
  return flag;
}

/** The Event family. */
export function eventFamily(): Family<EventProgram> {
  return {
    name: "event",
    programs: eventPrograms,
    scenario: (program) => async () => {
      const event = new Event();
      const log = new History<EventLog>();
      const clears = program.setters.flat().includes("clear");
      await runThreads([
        ...program.setters.map((ops, n) => async () => {
          const t = `s${n}`;
          for (const op of ops) {
            if (op === "set") event.set(), log.push({ t, op });
            else if (op === "clear") event.clear(), log.push({ t, op });
            else if (op === "isSet") log.push({ t, op, value: event.isSet() });
            else await yieldNow();
          }
        }),
        ...program.waiters.map((ops, n) => async () => {
          const t = `w${n}`;
          for (const op of ops) {
            if (op === "isSet") {
              log.push({ t, op, value: event.isSet() });
              continue;
            }
            const forever = op === "forever";
            log.push({ t, op: "wait", forever });
            const value = await event.wait(forever ? undefined : 2);
            log.push({ t, op: "waited", forever, value });
          }
        }),
      ]);
      const flag = checkEventHistory(log, clears);
      if (event.isSet() !== flag) throw new Error(`the event ends ${event.isSet()} where the model's flag is ${flag}`);
    },
  };
}

/** A Barrier program: its parties (one thread each), how many cycles, pauses, and whether it has an action. */
export interface BarrierProgram {
  readonly parties: number;
  readonly cycles: number;
  readonly action: boolean;
  /** Per thread and cycle: scheduling points (or, negative, a sleep of that many ms) before the wait. */
  readonly pauses: readonly (readonly number[])[];
}

type BarrierLog = { t: string; op: "passed"; cycle: number; index: number } | { op: "action"; cycle: number };

/** Random Barrier programs: 2-3 parties, 1-3 cycles. */
export const barrierPrograms: fc.Arbitrary<BarrierProgram> = fc
  .record({ parties: fc.integer({ min: 2, max: 3 }), cycles: fc.integer({ min: 1, max: 3 }), action: fc.boolean() })
  .chain((p) =>
    fc.record({
      parties: fc.constant(p.parties),
      cycles: fc.constant(p.cycles),
      action: fc.constant(p.action),
      pauses: fc.array(fc.array(fc.integer({ min: -2, max: 2 }), { minLength: p.cycles, maxLength: p.cycles }), {
        minLength: p.parties,
        maxLength: p.parties,
      }),
    })
  );

/** Checks a Barrier history: each cycle's indices are a permutation, its action ran once, first. */
export function checkBarrierHistory(history: History<BarrierLog>, program: BarrierProgram): void {
  const indices = Array.from({ length: program.cycles }, () => new Set<number>());
  const actions = Array.from({ length: program.cycles }, () => 0);
  history.events.forEach((e, i) => {
    if (e.op === "action") {
      actions[e.cycle]++;
      if (actions[e.cycle] > 1) history.fail(i, `the action of cycle ${e.cycle} ran twice`);
      return;
    }
    if (program.action && actions[e.cycle] === 0) {
      history.fail(i, `a wait of cycle ${e.cycle} returned before its action ran`);
    }
    if (e.index < 0 || e.index >= program.parties || indices[e.cycle].has(e.index)) {
      history.fail(i, `cycle ${e.cycle} returned index ${e.index} where 0..${program.parties - 1} each come once`);
    }
    indices[e.cycle].add(e.index);
  });
  indices.forEach((seen, cycle) => {
    if (seen.size !== program.parties) throw new Error(`cycle ${cycle} let ${seen.size} of ${program.parties} through`);
    if (program.action && actions[cycle] !== 1) {
      throw new Error(`the action of cycle ${cycle} ran ${actions[cycle]} times`);
    }
  });
}

/** The Barrier family. */
export function barrierFamily(): Family<BarrierProgram> {
  return {
    name: "barrier",
    programs: barrierPrograms,
    scenario: (program) => async () => {
      const log = new History<BarrierLog>();
      let cycle = 0;
      const action = program.action ? () => log.push({ op: "action", cycle: cycle++ }) : undefined;
      const barrier = new Barrier(program.parties, action);
      await runThreads(program.pauses.map((pauses, n) => async () => {
        for (let c = 0; c < program.cycles; c++) {
          const pause = pauses[c];
          if (pause < 0) await sleep(-pause);
          else for (let i = 0; i < pause; i++) await yieldNow();
          const index = await barrier.wait();
          log.push({ t: `t${n}`, op: "passed", cycle: c, index });
        }
      }));
      checkBarrierHistory(log, program);
      if (barrier.nWaiting !== 0 || barrier.broken) {
        throw new Error(`the barrier ends with ${barrier.nWaiting} waiting`);
      }
    },
  };
}
