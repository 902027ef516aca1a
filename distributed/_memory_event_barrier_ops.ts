/**
 * The memory engine's Event and Barrier operations (`event.*`,
 * `barrier.*`), the same steps as `_redis_event_barrier_scripts.ts`: both
 * keep their waiting tickets in one list (`K:w`) and wake them all at once;
 * a Barrier's helpers pass its cycle, break it, and read its state (with
 * the deadline of a running action).
 *
 * @module
 */
import { alive, kindCheck, type Op, type OpContext } from "./_memory_op_context.ts";

/** The operations on Events, by name. */
export const EVENT_OPS: Record<string, Op> = {
  "event.wait": (c) => {
    const bad = kindCheck(c, "Event", "");
    if (bad) return bad;
    const K = c.keys[0];
    if (c.store.hget(K, "set") === "1") return [1];
    if (!c.store.lpos(`${K}:w`, c.args[0])) c.store.rpush(`${K}:w`, c.args[0]);
    return [0];
  },
  "event.set": (c) => {
    const bad = kindCheck(c, "Event", "");
    if (bad) return bad;
    const K = c.keys[0];
    c.store.hset(K, "set", "1");
    let woken = 0;
    for (const t of c.store.lrange(`${K}:w`)) {
      if (alive(c, t)) {
        c.wake(t, "E");
        woken++;
      }
    }
    c.store.del(`${K}:w`);
    return [woken];
  },
  "event.clear": (c) => {
    const bad = kindCheck(c, "Event", "");
    if (bad) return bad;
    c.store.hset(c.keys[0], "set", "0");
    return [1];
  },
  "event.isSet": (c) => kindCheck(c, "Event", "") ?? [c.store.hget(c.keys[0], "set") === "1" ? 1 : 0],
  "event.cancel": (c) => {
    const bad = kindCheck(c, "Event", "");
    if (bad) return bad;
    c.store.lrem(`${c.keys[0]}:w`, c.args[0]);
    return [1];
  },
};

function barrierWake(c: OpContext, message: string): void {
  const K = c.keys[0];
  for (const t of c.store.lrange(`${K}:w`)) c.wake(t, message);
  c.store.del(`${K}:w`);
}

function barrierPass(c: OpContext, gen: number): void {
  c.store.hset(c.keys[0], "gen", gen + 1, "count", 0, "state", "");
  barrierWake(c, `B|${gen}|P`);
}

function barrierBreak(c: OpContext, broken: string): void {
  const K = c.keys[0];
  const gen = Number(c.store.hget(K, "gen") ?? "0");
  c.store.hset(K, "broken", broken, "count", 0, "state", "");
  barrierWake(c, `B|${gen}|X`);
}

function barrierState(c: OpContext): { broken: boolean; action: boolean } {
  const s = c.store;
  const K = c.keys[0];
  if (s.hget(K, "state") === "A" && Number(s.hget(K, "adl")) <= c.now) {
    barrierBreak(c, "1");
    return { broken: true, action: false };
  }
  return { broken: s.hget(K, "broken") === "1", action: s.hget(K, "state") === "A" };
}

/** The operations on Barriers, by name. */
export const BARRIER_OPS: Record<string, Op> = {
  "barrier.arrive": (c) => {
    const [parties, ticket, hasAction, lease] = c.args;
    const bad = kindCheck(c, "Barrier", parties);
    if (bad) return bad;
    const s = c.store;
    const K = c.keys[0];
    const state = barrierState(c);
    const gen = Number(s.hget(K, "gen") ?? "0");
    if (state.broken) return [-1, 0, gen];
    if (state.action) {
      if (!s.lpos(`${K}:w`, ticket)) s.rpush(`${K}:w`, ticket);
      return [3, 0, gen];
    }
    const count = s.hincrby(K, "count", 1);
    const index = count - 1;
    if (count >= Number(parties)) {
      if (hasAction === "1") {
        s.hset(K, "count", 0, "state", "A", "adl", c.now + Number(lease));
        return [2, index, gen];
      }
      barrierPass(c, gen);
      return [1, index, gen];
    }
    if (!s.lpos(`${K}:w`, ticket)) s.rpush(`${K}:w`, ticket);
    return [0, index, gen];
  },
  "barrier.pass": (c) => {
    const [parties, gen] = c.args;
    const bad = kindCheck(c, "Barrier", parties);
    if (bad) return bad;
    const K = c.keys[0];
    const have = Number(c.store.hget(K, "gen") ?? "0");
    if (c.store.hget(K, "state") !== "A" || have !== Number(gen)) return [-1];
    barrierPass(c, have);
    return [1];
  },
  "barrier.abort": (c) => {
    const bad = kindCheck(c, "Barrier", c.args[0]);
    if (bad) return bad;
    barrierBreak(c, "1");
    return [1];
  },
  "barrier.reset": (c) => {
    const bad = kindCheck(c, "Barrier", c.args[0]);
    if (bad) return bad;
    barrierBreak(c, "0");
    c.store.hincrby(c.keys[0], "gen", 1);
    return [1];
  },
  "barrier.state": (c) => {
    const bad = kindCheck(c, "Barrier", c.args[0]);
    if (bad) return bad;
    const state = barrierState(c);
    if (state.broken) return [0, 1];
    if (state.action) return [0, 0];
    return [Number(c.store.hget(c.keys[0], "count") ?? "0"), 0];
  },
};
