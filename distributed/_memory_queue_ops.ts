/**
 * The memory engine's Queue operations (`queue.*`, for `Queue` and
 * `LifoQueue`), the same steps as `_redis_queue_scripts.ts`: items in
 * `K:i`, waiting getters and putters in `K:g` and `K:p`, an item reserved
 * for a woken getter in `K:r` and a slot for a woken putter in `K:s`, items
 * not yet acknowledged per client in `K:f:<client>` (given back when that
 * client dies), and `join()`'s waiters in `K:w`.
 *
 * @module
 */
import { alive, kindCheck, type Op, type OpContext } from "./_memory_op_context.ts";

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

/** The operations on Queues, by name. */
export const QUEUE_OPS: Record<string, Op> = {
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
