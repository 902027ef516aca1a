/**
 * The memory engine's lock and Condition operations (`lock.*`, `cond.*`),
 * the same steps as `_redis_lock_scripts.ts`: a lock's owner key (`K:o`,
 * expiring with the owner's lease), its queue of entries (`K:q`) and the
 * hand-off to the oldest live one. A Condition's waiters (`K:cq`) move to
 * its lock's queue when notified.
 *
 * @module
 */
import type { OpReply } from "./_engine.ts";
import { alive, clientOf, entryOf, kindCheck, type Op, type OpContext } from "./_memory_op_context.ts";

// A lock L's owner is the string L:o, which expires with the owner's lease; its value is the owner's
// ticket, with a '*' after it while tickets are queued.

function ownerIn(c: OpContext, L: string): string | undefined {
  const v = c.store.get(`${L}:o`);
  return v?.endsWith("*") ? v.slice(0, -1) : v;
}

function markQueued(c: OpContext, L: string): void {
  const v = c.store.get(`${L}:o`);
  if (v !== undefined && !v.endsWith("*")) c.store.setKeepTtl(`${L}:o`, `${v}*`);
}

// A ticket of client `me` (the caller's, which delivers the hand-off from the reply) gets no wake-up.
function handoff(c: OpContext, L: string, me?: string): [string | false, number] {
  const s = c.store;
  for (;;) {
    const e = s.lpop(`${L}:q`);
    if (e === undefined) {
      s.del(`${L}:o`);
      return [false, 0];
    }
    const [w, lease] = entryOf(e);
    if (alive(c, w)) {
      const tok = s.hincrby(L, "tok", 1);
      s.setex(`${L}:o`, s.llen(`${L}:q`) > 0 ? `${w}*` : w, lease);
      if (clientOf(w) !== me) c.wake(w, `L|${tok}`);
      return [w, tok];
    }
  }
}

function reapLock(c: OpContext, L: string): string | false {
  const owner = ownerIn(c, L);
  if (owner === undefined && c.store.llen(`${L}:q`) > 0) return handoff(c, L)[0];
  return owner ?? false;
}

function acquire(c: OpContext, L: string, t: string, lease: number, mode: string): OpReply {
  const s = c.store;
  const owner = reapLock(c, L);
  if (owner === t) return [1, Number(s.hget(L, "tok"))];
  if (owner === false) {
    const tok = s.hincrby(L, "tok", 1);
    s.setex(`${L}:o`, t, lease);
    s.lrem(`${L}:q`, `${t}|${lease}`);
    return [1, tok];
  }
  if (mode === "1") {
    if (!s.lpos(`${L}:q`, `${t}|${lease}`)) s.rpush(`${L}:q`, `${t}|${lease}`);
    // Also when it was queued already: an owner that took the lock without a script did not mark it.
    markQueued(c, L);
  }
  return [0, Math.max(1, s.pttl(`${L}:o`))];
}

/** The operations on locks and Conditions, by name. */
export const LOCK_OPS: Record<string, Op> = {
  "lock.acquire": (c) => {
    const [kind, ticket, lease, mode] = c.args;
    return kindCheck(c, kind, "") ?? acquire(c, c.keys[0], ticket, Number(lease), mode);
  },
  // Not a script on Redis: SET NX PX and HINCRBY, pipelined (a token is spent even when the SET fails).
  "lock.fast": (c) => {
    const [, ticket, lease] = c.args;
    const K = c.keys[0];
    const free = !c.store.exists(`${K}:o`);
    if (free) c.store.setex(`${K}:o`, ticket, Number(lease));
    const tok = c.store.hincrby(K, "tok", 1);
    return free ? [1, tok] : [0];
  },
  "lock.release": (c) => {
    const [kind, ticket] = c.args;
    const K = c.keys[0];
    const held = c.store.get(`${K}:o`);
    if (held === ticket) {
      c.store.del(`${K}:o`);
      return [1, "", 0];
    }
    if (ownerIn(c, K) !== ticket) return kindCheck(c, kind, "") ?? [0, reapLock(c, K) || ""];
    const [w, tok] = handoff(c, K, clientOf(ticket));
    return [1, w || "", tok];
  },
  "lock.renew": (c) => {
    const [, ticket, lease] = c.args;
    const K = c.keys[0];
    if (ownerIn(c, K) === ticket) {
      c.store.pexpire(`${K}:o`, Number(lease));
      return [1];
    }
    reapLock(c, K);
    return [0];
  },
  "lock.cancel": (c) => {
    const [kind, ticket, lease] = c.args;
    const bad = kindCheck(c, kind, "");
    if (bad) return bad;
    const K = c.keys[0];
    c.store.lrem(`${K}:q`, `${ticket}|${lease}`);
    if (ownerIn(c, K) === ticket) {
      const [w, tok] = handoff(c, K, clientOf(ticket));
      return [1, w || "", tok];
    }
    return [0];
  },
  "lock.locked": (c) => kindCheck(c, c.args[0], "") ?? [reapLock(c, c.keys[0]) === false ? 0 : 1],
  "cond.wait": (c) => {
    const [lockKind, lockName, ownerTicket, waiterTicket, lease] = c.args;
    const bad = kindCheck(c, "Condition", lockName);
    if (bad) return bad;
    const [K, L] = c.keys;
    const lk = c.store.hget(L, "kind");
    if (lk !== undefined && lk !== lockKind) return [-100, lk, ""];
    if (ownerIn(c, L) !== ownerTicket) return [0];
    c.store.rpush(`${K}:cq`, `${waiterTicket}|${lease}`);
    const [w, tok] = handoff(c, L, clientOf(ownerTicket));
    return [1, w || "", tok];
  },
  "cond.notify": (c) => {
    const [lockName, n] = c.args;
    const bad = kindCheck(c, "Condition", lockName);
    if (bad) return bad;
    const [K, L] = c.keys;
    let moved = 0;
    while (moved < Number(n)) {
      const e = c.store.lpop(`${K}:cq`);
      if (e === undefined) break;
      if (alive(c, entryOf(e)[0])) {
        c.store.rpush(`${L}:q`, e);
        moved++;
      }
    }
    if (moved > 0) markQueued(c, L);
    return [moved];
  },
  "cond.cancel": (c) => {
    const [, lockName, ticket, lease] = c.args;
    const bad = kindCheck(c, "Condition", lockName);
    if (bad) return bad;
    const [K, L] = c.keys;
    let notified = 1;
    if (c.store.lrem(`${K}:cq`, `${ticket}|${lease}`) > 0) notified = 0;
    const r = acquire(c, L, ticket, Number(lease), "1");
    return [notified, r[0], r[1]];
  },
};
