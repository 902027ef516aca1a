/**
 * The memory engine's Semaphore operations (`sem.*`), the same steps as
 * `_redis_semaphore_scripts.ts`: free permits in the hash's `free` field,
 * leased permits in `K:h` (ticket -> deadline, taken back when it passes),
 * queued entries in `K:q`, each handed a freed permit oldest first.
 *
 * @module
 */
import { alive, entryOf, kindCheck, type Op, type OpContext } from "./_memory_op_context.ts";

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

/** The operations on Semaphores, by name. */
export const SEMAPHORE_OPS: Record<string, Op> = {
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
};
