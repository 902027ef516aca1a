/**
 * Condition: producers add a token under the condition's lock and notify
 * (one waiter or all); consumers take one, waiting for it with `waitFor`,
 * with Python's `while not ready: wait()` loop, or with `waitFor` and a
 * timeout (they may give up). There are at least as many tokens as
 * consumers, so every program can finish. Inside the lock a read and a
 * write of the count are split by a scheduling point, so two threads inside
 * at once would lose an update.
 *
 * The model is the token count. Checked: each change is seen in the order
 * the model makes them (mutual exclusion), a `waitFor` returns the
 * predicate's value (false only on a timeout with no token), no waiter is
 * left behind (a lost notify is a deadlock the scheduler reports), and the
 * count ends at tokens made minus tokens taken.
 *
 * @module
 */
import fc from "fast-check";
import { Condition, Lock, yieldNow } from "@locksmith/threading";
import { type Family, History, runThreads } from "./harness.ts";

/** One operation. */
export type ConditionOp =
  | { readonly op: "produce"; readonly notify: "one" | "all" }
  | { readonly op: "consume"; readonly how: "waitFor" | "loop" | "timeout" };

/** A program: the lock under the condition (`RLock` is Python's default) and each thread's operations. */
export interface ConditionProgram {
  readonly lock: "Lock" | "RLock";
  readonly threads: readonly (readonly ConditionOp[])[];
}

type Event = { t: string; op: "produced" | "consumed" | "gave up"; tokens: number };

const produce = fc.record({ op: fc.constant("produce" as const), notify: fc.constantFrom("one" as const, "all") });
const consume = fc.record({
  op: fc.constant("consume" as const),
  how: fc.constantFrom("waitFor" as const, "loop", "timeout"),
});

/**
 * Random programs: 2-3 threads, each making its tokens before it takes any,
 * and no more consumers than producers: then every token is made whatever
 * the schedule, and a consumer can wait forever only if a wake-up is lost.
 */
export const conditionPrograms: fc.Arbitrary<ConditionProgram> = fc
  .record({
    lock: fc.constantFrom<"Lock" | "RLock">("Lock", "RLock"),
    threads: fc.array(fc.array(fc.oneof(produce, consume), { minLength: 1, maxLength: 4 }), {
      minLength: 2,
      maxLength: 3,
    }).map((threads) =>
      threads.map((ops) => [...ops.filter((o) => o.op === "produce"), ...ops.filter((o) => o.op === "consume")])
    ),
  })
  .filter((p) => {
    const ops = p.threads.flat();
    return ops.filter((o) => o.op === "consume").length <= ops.filter((o) => o.op === "produce").length;
  });

/** Checks the history against the token count. */
export function checkConditionHistory(history: History<Event>): number {
  let tokens = 0;
  history.events.forEach((e, i) => {
    if (e.op === "produced") tokens++;
    else if (e.op === "consumed") tokens--;
    else if (tokens !== 0) history.fail(i, `waitFor gave up (false) while ${tokens} tokens were there`);
    if (e.tokens !== tokens) history.fail(i, `${e.t} saw ${e.tokens} tokens where the model has ${tokens}`);
    if (tokens < 0) history.fail(i, "a token was taken that nobody made");
  });
  return tokens;
}

/** The condition family. */
export function conditionFamily(): Family<ConditionProgram> {
  return {
    name: "condition",
    programs: conditionPrograms,
    scenario: (program) => async () => {
      const cond = new Condition(program.lock === "Lock" ? new Lock() : undefined);
      const log = new History<Event>();
      let tokens = 0;
      // A read-modify-write split by a scheduling point: only the lock keeps it whole.
      const change = async (by: number) => {
        const seen = tokens;
        await yieldNow();
        tokens = seen + by;
      };
      const run = async (op: ConditionOp, t: string) => {
        await cond.acquire();
        try {
          if (op.op === "produce") {
            await change(1);
            log.push({ t, op: "produced", tokens });
            if (op.notify === "one") cond.notify();
            else cond.notifyAll();
            return;
          }
          let ready: boolean;
          if (op.how === "loop") {
            while (tokens === 0) await cond.wait();
            ready = true;
          } else {
            ready = await cond.waitFor(() => tokens > 0, op.how === "timeout" ? 3 : undefined);
          }
          if (ready !== tokens > 0) throw new Error(`waitFor returned ${ready} with ${tokens} tokens`);
          if (!ready) return log.push({ t, op: "gave up", tokens });
          await change(-1);
          log.push({ t, op: "consumed", tokens });
        } finally {
          cond.release();
        }
      };
      await runThreads(program.threads.map((ops, n) => async () => {
        for (const op of ops) await run(op, `t${n}`);
      }));
      const left = checkConditionHistory(log);
      if (left !== tokens) throw new Error(`${tokens} tokens left where the model has ${left}`);
      if (cond.locked()) throw new Error("the condition's lock is still held after every thread ended");
    },
  };
}
