/**
 * The memory engine's operations: the same steps as the Redis engine's
 * scripts (`_redis_scripts.ts`), over the same keys, in plain JavaScript.
 * Each runs synchronously, so it is atomic in one isolate.
 *
 * @module
 */
import type { OpReply } from "./_engine.ts";
import type { MemoryStore } from "./_memory_store.ts";

/** What an operation runs with. */
export interface OpContext {
  readonly store: MemoryStore;
  /** The key prefix. */
  readonly prefix: string;
  /** The primitive's key, and a Condition's lock key. */
  readonly keys: readonly string[];
  /** The arguments after the prefix, as strings. */
  readonly args: readonly string[];
  /** The clock, in ms. */
  readonly now: number;
  /** Pushes a wake-up to the client of `ticket`. */
  wake(ticket: string, message: string): void;
}

const clientOf = (ticket: string) => ticket.split(".", 1)[0];
/** A queue entry is `<ticket>|<lease ms>`. */
const entryOf = (entry: string): [string, number] => {
  const bar = entry.lastIndexOf("|");
  return [entry.slice(0, bar), Number(entry.slice(bar + 1))];
};

function alive(c: OpContext, ticket: string): boolean {
  return c.store.exists(`${c.prefix}:c:${clientOf(ticket)}`);
}

function kindCheck(c: OpContext, kind: string, cfg: string, key = c.keys[0]): OpReply | undefined {
  const have = c.store.hget(key, "kind");
  if (have === undefined) {
    c.store.hset(key, "kind", kind, "cfg", cfg);
    return undefined;
  }
  const haveCfg = c.store.hget(key, "cfg") ?? "";
  if (have !== kind) return [-100, have, haveCfg];
  if (haveCfg !== cfg) return [-101, have, haveCfg];
  return undefined;
}

// ---- locks ----
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

function handoff(c: OpContext, L: string): [string | false, number] {
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
      c.wake(w, `L|${tok}`);
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

// ---- semaphores ----

function semHandoff(c: OpContext): number {
  const s = c.store;
  const K = c.keys[0];
  let free = Number(s.hget(K, "free") ?? "0");
  while (free > 0) {
    const e = s.lpop(`${K}:q`);
    if (e === undefined) break;
    const [w, lease] = entryOf(e);
    if (alive(c, w)) {
      s.hset(`${K}:h`, w, c.now + lease);
      free--;
      c.wake(w, "S");
    }
  }
  s.hset(K, "free", free);
  return free;
}

function semReap(c: OpContext): number {
  const s = c.store;
  const K = c.keys[0];
  if (!s.hexists(K, "free")) s.hset(K, "free", Number(c.args[1]));
  let back = 0;
  for (const [permit, dl] of s.hentries(`${K}:h`)) {
    if (Number(dl) <= c.now) {
      s.hdel(`${K}:h`, permit);
      back++;
    }
  }
  if (back > 0) s.hincrby(K, "free", back);
  return semHandoff(c);
}

function semNext(c: OpContext): number {
  let first = -1;
  for (const [, dl] of c.store.hentries(`${c.keys[0]}:h`)) {
    const left = Number(dl) - c.now;
    if (first < 0 || left < first) first = left;
  }
  return first === 0 ? 1 : first;
}

// ---- barriers ----

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

// ---- queues ----

function queuePop(c: OpContext): string | undefined {
  const key = `${c.keys[0]}:i`;
  return c.args[0] === "LifoQueue" ? c.store.rpop(key) : c.store.lpop(key);
}

function queueUnpop(c: OpContext, item: string): void {
  const key = `${c.keys[0]}:i`;
  if (c.args[0] === "LifoQueue") c.store.rpush(key, item);
  else c.store.lpush(key, item);
}

function queueServe(c: OpContext): void {
  const s = c.store;
  const K = c.keys[0];
  while (s.llen(`${K}:i`) > 0) {
    const g = s.lpop(`${K}:g`);
    if (g === undefined) break;
    if (alive(c, g)) {
      s.hset(`${K}:r`, g, queuePop(c)!);
      c.wake(g, "Q");
    }
  }
  const max = Number(c.args[1]);
  while (max > 0 && s.llen(`${K}:i`) + s.hlen(`${K}:s`) < max) {
    const p = s.lpop(`${K}:p`);
    if (p === undefined) break;
    if (alive(c, p)) {
      s.hset(`${K}:s`, p, "1");
      c.wake(p, "Q");
    }
  }
}

function queueReap(c: OpContext): void {
  const s = c.store;
  const K = c.keys[0];
  for (const [t, item] of s.hentries(`${K}:r`)) {
    if (!alive(c, t)) {
      s.hdel(`${K}:r`, t);
      queueUnpop(c, item);
    }
  }
  for (const [t] of s.hentries(`${K}:s`)) if (!alive(c, t)) s.hdel(`${K}:s`, t);
  for (const client of s.smembers(`${K}:a`)) {
    if (!s.exists(`${c.prefix}:c:${client}`)) {
      const f = `${K}:f:${client}`;
      const items = s.lrange(f);
      for (let i = items.length - 1; i >= 0; i--) queueUnpop(c, items[i]);
      s.del(f);
      s.srem(`${K}:a`, client);
    }
  }
  queueServe(c);
}

function queueDone(c: OpContext, count: number): void {
  const K = c.keys[0];
  if (c.store.hincrby(K, "unf", -count) <= 0) {
    for (const t of c.store.lrange(`${K}:w`)) c.wake(t, "J");
    c.store.del(`${K}:w`);
  }
}

type Op = (c: OpContext) => OpReply;

/** The operations, by name; `args` are as the Redis scripts' `ARGV[2..]`. */
export const MEMORY_OPS: Record<string, Op> = {
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
    const [w, tok] = handoff(c, K);
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
      const [w, tok] = handoff(c, K);
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
    const [w, tok] = handoff(c, L);
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
  "sem.acquire": (c) => {
    const [kind, cfg, ticket, lease, mode] = c.args;
    const bad = kindCheck(c, kind, cfg);
    if (bad) return bad;
    const s = c.store;
    const K = c.keys[0];
    const free = semReap(c);
    if (s.hexists(`${K}:h`, ticket)) return [1];
    if (free > 0) {
      s.hincrby(K, "free", -1);
      s.hset(`${K}:h`, ticket, c.now + Number(lease));
      s.lrem(`${K}:q`, `${ticket}|${lease}`);
      return [1];
    }
    if (mode === "1" && !s.lpos(`${K}:q`, `${ticket}|${lease}`)) s.rpush(`${K}:q`, `${ticket}|${lease}`);
    return [0, semNext(c)];
  },
  "sem.release": (c) => {
    const [kind, cfg, bound, max, extra, ...permits] = c.args;
    const bad = kindCheck(c, kind, cfg);
    if (bad) return bad;
    const s = c.store;
    const K = c.keys[0];
    const free = semReap(c);
    const valid: string[] = [];
    let lost = 0;
    for (const p of permits) {
      const dl = s.hget(`${K}:h`, p);
      if (dl !== undefined && Number(dl) > c.now) valid.push(p);
      else lost++;
    }
    const after = free + valid.length + Number(extra);
    if (Number(bound) > 0 && after + s.hlen(`${K}:h`) - valid.length > Number(bound)) return [-3];
    if (after > Number(max)) return [-4];
    for (const p of valid) s.hdel(`${K}:h`, p);
    s.hset(K, "free", after);
    semHandoff(c);
    return [1, lost];
  },
  "sem.renew": (c) => {
    const [kind, cfg, lease, ...permits] = c.args;
    const bad = kindCheck(c, kind, cfg);
    if (bad) return bad;
    const K = c.keys[0];
    const lost: string[] = [];
    for (const p of permits) {
      const dl = c.store.hget(`${K}:h`, p);
      if (dl !== undefined && Number(dl) > c.now) c.store.hset(`${K}:h`, p, c.now + Number(lease));
      else lost.push(p);
    }
    semReap(c);
    return lost;
  },
  "sem.cancel": (c) => {
    const [kind, cfg, ticket, lease] = c.args;
    const bad = kindCheck(c, kind, cfg);
    if (bad) return bad;
    const K = c.keys[0];
    c.store.lrem(`${K}:q`, `${ticket}|${lease}`);
    if (c.store.hdel(`${K}:h`, ticket) === 1) {
      c.store.hincrby(K, "free", 1);
      semHandoff(c);
      return [1];
    }
    return [0];
  },
  "sem.value": (c) => kindCheck(c, c.args[0], c.args[1]) ?? [semReap(c)],
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
  "queue.put": (c) => {
    const [kind, maxsize, ticket, item, mode] = c.args;
    const bad = kindCheck(c, kind, maxsize);
    if (bad) return bad;
    const s = c.store;
    const K = c.keys[0];
    queueReap(c);
    if (s.hget(K, "shut") === "1") {
      s.hdel(`${K}:s`, ticket);
      return [-2];
    }
    if (s.hdel(`${K}:s`, ticket) === 0) {
      const max = Number(maxsize);
      if (max > 0 && s.llen(`${K}:i`) + s.hlen(`${K}:s`) >= max) {
        if (mode === "1") {
          if (!s.lpos(`${K}:p`, ticket)) s.rpush(`${K}:p`, ticket);
          return [0];
        }
        return [-1];
      }
    }
    s.lrem(`${K}:p`, ticket);
    s.rpush(`${K}:i`, item);
    s.hincrby(K, "unf", 1);
    queueServe(c);
    return [1];
  },
  "queue.get": (c) => {
    const [kind, maxsize, ticket, mode, ack] = c.args;
    const bad = kindCheck(c, kind, maxsize);
    if (bad) return bad;
    const s = c.store;
    const K = c.keys[0];
    queueReap(c);
    let item = s.hget(`${K}:r`, ticket);
    if (item !== undefined) s.hdel(`${K}:r`, ticket);
    else {
      item = queuePop(c);
      if (item !== undefined) queueServe(c);
    }
    if (item !== undefined) {
      if (ack !== "") {
        s.rpush(`${K}:f:${ack}`, item);
        s.sadd(`${K}:a`, ack);
      }
      s.lrem(`${K}:g`, ticket);
      return [1, item];
    }
    if (s.hget(K, "shut") === "1") return [-2];
    if (mode === "1") {
      if (!s.lpos(`${K}:g`, ticket)) s.rpush(`${K}:g`, ticket);
      return [0];
    }
    return [-1];
  },
  "queue.cancel": (c) => {
    const [kind, maxsize, ticket] = c.args;
    const bad = kindCheck(c, kind, maxsize);
    if (bad) return bad;
    const s = c.store;
    const K = c.keys[0];
    s.lrem(`${K}:g`, ticket);
    s.lrem(`${K}:p`, ticket);
    s.lrem(`${K}:w`, ticket);
    const item = s.hget(`${K}:r`, ticket);
    if (item !== undefined) {
      s.hdel(`${K}:r`, ticket);
      queueUnpop(c, item);
    }
    s.hdel(`${K}:s`, ticket);
    queueServe(c);
    return [1];
  },
  "queue.taskDone": (c) => {
    const [kind, maxsize, ack] = c.args;
    const bad = kindCheck(c, kind, maxsize);
    if (bad) return bad;
    const K = c.keys[0];
    if (Number(c.store.hget(K, "unf") ?? "0") <= 0) return [-1];
    if (ack !== "") c.store.lpop(`${K}:f:${ack}`);
    queueDone(c, 1);
    return [1];
  },
  "queue.join": (c) => {
    const [kind, maxsize, ticket] = c.args;
    const bad = kindCheck(c, kind, maxsize);
    if (bad) return bad;
    const K = c.keys[0];
    if (Number(c.store.hget(K, "unf") ?? "0") <= 0) return [1];
    if (!c.store.lpos(`${K}:w`, ticket)) c.store.rpush(`${K}:w`, ticket);
    return [0];
  },
  "queue.shutdown": (c) => {
    const [kind, maxsize, immediate] = c.args;
    const bad = kindCheck(c, kind, maxsize);
    if (bad) return bad;
    const s = c.store;
    const K = c.keys[0];
    s.hset(K, "shut", "1");
    if (immediate === "1") {
      let dropped = s.llen(`${K}:i`);
      s.del(`${K}:i`);
      const unf = Number(s.hget(K, "unf") ?? "0");
      if (dropped > unf) dropped = unf;
      if (dropped > 0) queueDone(c, dropped);
    }
    for (const list of [`${K}:g`, `${K}:p`]) {
      for (const t of s.lrange(list)) c.wake(t, "Q");
      s.del(list);
    }
    return [1];
  },
  "queue.stats": (c) => {
    const bad = kindCheck(c, c.args[0], c.args[1]);
    if (bad) return bad;
    queueReap(c);
    const K = c.keys[0];
    return [c.store.llen(`${K}:i`), Number(c.store.hget(K, "unf") ?? "0"), Number(c.store.hget(K, "shut") ?? "0")];
  },
};
