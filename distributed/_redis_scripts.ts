/**
 * The Redis engine's operations: each is one Lua script, run atomically by
 * the server (one round trip). `KEYS[1]` is the primitive's hash (and
 * `KEYS[2]` a Condition's lock); `ARGV[1]` is the key prefix. Every script
 * returns an array whose first element is a status: negative codes are
 * errors (`-100` another kind of primitive has the name, `-101` the same
 * kind with another configuration).
 *
 * This module holds the prelude every script may use and assembles each
 * script from it, its family's helpers and its body; the bodies live by
 * primitive: `_redis_lock_scripts.ts` (locks and Conditions),
 * `_redis_semaphore_scripts.ts`, `_redis_event_barrier_scripts.ts` and
 * `_redis_queue_scripts.ts`.
 *
 * State of a primitive `K` (the same in the memory engine, `_memory_ops.ts`):
 *
 * | key        | what                                                                 |
 * |------------|----------------------------------------------------------------------|
 * | `K`        | hash: kind, cfg, and the primitive's fields (tok, free, count...)   |
 * | `K:o`      | string: a lock's owner ticket; its PX is the owner's lease          |
 * | `K:q`      | list: queued entries, oldest first (locks, semaphores)               |
 * | `K:cq`     | list: a Condition's waiting entries                                  |
 * | `K:h`      | hash: a semaphore's leased permits, ticket -> deadline               |
 * | `K:w`      | list: tickets waiting for an Event, a Barrier's cycle, a Queue join  |
 * | `K:i`      | list: a queue's items; `K:g`, `K:p` its waiting getters and putters  |
 * | `K:r`      | hash: items reserved for a woken getter; `K:s` slots for a putter    |
 * | `K:a`      | set: clients with unacknowledged items, each in `K:f:<client>`       |
 *
 * A queue entry is a ticket and its lease in ms, joined by a bar.
 *
 * A ticket is `<client>.<n>`; a client is alive while `<prefix>:c:<client>`
 * exists (its heartbeat renews it). A wake-up is pushed to the client's
 * list `<prefix>:w:<client>` as `<ticket>|<type>|...`.
 *
 * @module
 */
import { BARRIER_HELPERS, BARRIER_SCRIPTS, EVENT_SCRIPTS } from "./_redis_event_barrier_scripts.ts";
import { LOCK_HELPERS, LOCK_SCRIPTS } from "./_redis_lock_scripts.ts";
import { QUEUE_HELPERS, QUEUE_SCRIPTS } from "./_redis_queue_scripts.ts";
import { SEMAPHORE_HELPERS, SEMAPHORE_SCRIPTS } from "./_redis_semaphore_scripts.ts";

/** What every script may use: the clock, tickets and their clients, wake-ups, the kind check, list membership. */
const COMMON = `
local P = ARGV[1]
local K = KEYS[1]
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function owner_of(t) return string.match(t, '^([^%.]+)') end
local function alive_client(c) return redis.call('EXISTS', P .. ':c:' .. c) == 1 end
local function alive(t) return alive_client(owner_of(t)) end
local function wake(t, msg)
  local w = P .. ':w:' .. owner_of(t)
  -- A wake-up list of a client that died goes away by itself.
  if redis.call('RPUSH', w, t .. '|' .. msg) == 1 then redis.call('PEXPIRE', w, 600000) end
end
-- A queue entry: the ticket and its lease in ms, separated by a bar.
local function entry_of(e) return string.match(e, '^(.-)|(%d+)$') end
local function kind(k, cfg)
  local v = redis.call('HMGET', K, 'kind', 'cfg')
  if not v[1] then
    redis.call('HSET', K, 'kind', k, 'cfg', cfg)
    return nil
  end
  if v[1] ~= k then return {-100, v[1], v[2]} end
  if (v[2] or '') ~= cfg then return {-101, v[1], v[2] or ''} end
  return nil
end
local function queued(list, t) return redis.call('LPOS', list, t) ~= false end`;

/** The prelude: the common helpers, then the lock's (which a Condition's scripts use too). */
const PRELUDE = COMMON + LOCK_HELPERS;

/** The script of each operation (without the prelude). */
export const SCRIPTS: Record<string, string> = {
  ...LOCK_SCRIPTS,
  ...SEMAPHORE_SCRIPTS,
  ...EVENT_SCRIPTS,
  ...BARRIER_SCRIPTS,
  ...QUEUE_SCRIPTS,
};

/** The prelude's pieces: `local function name(...) ... end` blocks and the two locals, in order. */
function pieces(text: string): { name: string; code: string }[] {
  const out: { name: string; code: string }[] = [];
  let current: { name: string; code: string } | undefined;
  for (const line of text.split("\n")) {
    const fn = line.match(/^local function (\w+)/);
    const local = line.match(/^local (\w+) = /);
    if (fn || local) {
      current = { name: (fn ?? local)![1], code: line };
      out.push(current);
    } else if (current !== undefined) current.code += "\n" + line;
  }
  return out;
}

/**
 * The full text of the script of `op`: its body after only the helpers it uses (a helper defined but
 * unused still costs a closure on every call).
 */
export function scriptOf(op: string): string {
  const body = SCRIPTS[op];
  if (body === undefined) throw new TypeError(`Cannot find the script of operation '${op}'`);
  const family = op.slice(0, op.indexOf("."));
  const extra = family === "sem"
    ? SEMAPHORE_HELPERS
    : family === "barrier"
    ? BARRIER_HELPERS
    : family === "queue"
    ? QUEUE_HELPERS
    : "";
  const all = pieces(PRELUDE + extra);
  const used = new Set<string>();
  const uses = (code: string, name: string) => new RegExp(`\\b${name}\\b`).test(code);
  let grew = true;
  while (grew) {
    grew = false;
    for (const piece of all) {
      if (used.has(piece.name)) continue;
      if (uses(body, piece.name) || all.some((other) => used.has(other.name) && uses(other.code, piece.name))) {
        used.add(piece.name);
        grew = true;
      }
    }
  }
  const helpers = all.filter((piece) => used.has(piece.name)).map((piece) => piece.code).join("\n");
  const [head, rest] = body.includes("--helpers--") ? body.split("--helpers--") : ["", body];
  return head + helpers + "\n" + rest;
}

/** The operations. */
export const OPERATIONS: readonly string[] = Object.keys(SCRIPTS);
