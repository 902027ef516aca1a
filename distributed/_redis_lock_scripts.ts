/**
 * The Redis engine's lock and Condition scripts, and the lock helpers they
 * share: a lock's owner key (`K:o`, its PX the owner's lease), its queue of
 * entries (`K:q`) and the hand-off to the oldest live one. A Condition's
 * waiters (`K:cq`) move to its lock's queue when notified. The helpers join
 * the common prelude of `_redis_scripts.ts`, which assembles each script.
 *
 * @module
 */

/** The lock helpers (Lua), appended to the common prelude; the Condition's scripts use them too. */
export const LOCK_HELPERS = `
-- A lock L's owner is the string L:o, whose PX is the owner's lease: an expired lease is a missing key.
-- Its value is the owner's ticket, with a '*' after it while tickets are queued (so that the release
-- nobody waits for needs no look at the queue).
local function owner_in(L)
  local v = redis.call('GET', L .. ':o')
  if v and string.sub(v, -1) == '*' then return string.sub(v, 1, -2) end
  return v
end
local function mark_queued(L)
  local v = redis.call('GET', L .. ':o')
  if v and string.sub(v, -1) ~= '*' then redis.call('SET', L .. ':o', v .. '*', 'KEEPTTL') end
end
-- L passes to its oldest live queued ticket, or becomes free. A ticket of client \`me\` (the caller's,
-- which delivers the hand-off from this script's reply) gets no wake-up: it would be read and dropped.
local function handoff(L, me)
  while true do
    local e = redis.call('LPOP', L .. ':q')
    if not e then
      redis.call('DEL', L .. ':o')
      return false, 0
    end
    local w, lease = entry_of(e)
    if alive(w) then
      local tok = redis.call('HINCRBY', L, 'tok', 1)
      local more = ''
      if redis.call('LLEN', L .. ':q') > 0 then more = '*' end
      redis.call('SET', L .. ':o', w .. more, 'PX', lease)
      if owner_of(w) ~= me then wake(w, 'L|' .. tok) end
      return w, tok
    end
  end
end
-- The owner of lock L; a lock whose owner's lease ran out goes to its oldest live queued ticket.
local function reap_lock(L)
  local owner = owner_in(L)
  if not owner and redis.call('LLEN', L .. ':q') > 0 then
    local w = handoff(L)
    return w
  end
  return owner
end
-- Takes lock L for ticket t, or queues t (mode 1): {1, token} or {0, ms left of the owner's lease}.
local function acquire(L, t, lease, mode)
  local owner = reap_lock(L)
  if owner == t then return {1, tonumber(redis.call('HGET', L, 'tok'))} end
  if not owner then
    local tok = redis.call('HINCRBY', L, 'tok', 1)
    redis.call('SET', L .. ':o', t, 'PX', lease)
    redis.call('LREM', L .. ':q', 0, t .. '|' .. lease)
    return {1, tok}
  end
  if mode == '1' then
    if not queued(L .. ':q', t .. '|' .. lease) then redis.call('RPUSH', L .. ':q', t .. '|' .. lease) end
    -- Also when it was queued already: an owner that took the lock without a script did not mark it.
    mark_queued(L)
  end
  local left = redis.call('PTTL', L .. ':o')
  if left < 1 then left = 1 end
  return {0, left}
end
`;

/** The scripts of `lock.*` and `cond.*` (without the prelude). */
export const LOCK_SCRIPTS: Record<string, string> = {
  // ARGV: prefix, kind, ticket, lease, mode -> {1, token} or {0, ms left of the owner's lease}
  "lock.acquire": `
local bad = kind(ARGV[2], '') if bad then return bad end
return acquire(K, ARGV[3], tonumber(ARGV[4]), ARGV[5])
`,
  // ARGV: prefix, kind, ticket -> {1, handedTo, token} or {0, owner}. The release nobody waits for
  // returns before the helpers are defined (each would cost a closure).
  "lock.release": `
if redis.call('GET', KEYS[1] .. ':o') == ARGV[3] then
  redis.call('DEL', KEYS[1] .. ':o')
  return {1, '', 0}
end
--helpers--
if owner_in(K) ~= ARGV[3] then
  local bad = kind(ARGV[2], '') if bad then return bad end
  return {0, reap_lock(K) or ''}
end
local w, tok = handoff(K, owner_of(ARGV[3]))
return {1, w or '', tok}
`,
  // ARGV: prefix, kind, ticket, lease -> {1} renewed or {0} lost
  "lock.renew": `
if owner_in(K) == ARGV[3] then
  redis.call('PEXPIRE', K .. ':o', ARGV[4])
  return {1}
end
reap_lock(K)
return {0}
`,
  // ARGV: prefix, kind, ticket, lease -> {1, handedTo, token} if it was the owner, else {0}
  "lock.cancel": `
local bad = kind(ARGV[2], '') if bad then return bad end
redis.call('LREM', K .. ':q', 0, ARGV[3] .. '|' .. ARGV[4])
if owner_in(K) == ARGV[3] then
  local w, tok = handoff(K, owner_of(ARGV[3]))
  return {1, w or '', tok}
end
return {0}
`,
  // ARGV: prefix, kind -> {locked}
  "lock.locked": `
local bad = kind(ARGV[2], '') if bad then return bad end
if reap_lock(K) then return {1} end
return {0}
`,
  // KEYS: cond, lock. ARGV: prefix, lock kind, lock name, owner ticket, waiter ticket, lease -> {1, handedTo, token} or {0}
  "cond.wait": `
local bad = kind('Condition', ARGV[3]) if bad then return bad end
local L = KEYS[2]
local lk = redis.call('HGET', L, 'kind')
if lk and lk ~= ARGV[2] then return {-100, lk, ''} end
if owner_in(L) ~= ARGV[4] then return {0} end
redis.call('RPUSH', K .. ':cq', ARGV[5] .. '|' .. ARGV[6])
local w, tok = handoff(L, owner_of(ARGV[4]))
return {1, w or '', tok}
`,
  // KEYS: cond, lock. ARGV: prefix, lock name, n -> {moved}
  "cond.notify": `
local bad = kind('Condition', ARGV[2]) if bad then return bad end
local L = KEYS[2]
local want = tonumber(ARGV[3])
local moved = 0
while moved < want do
  local e = redis.call('LPOP', K .. ':cq')
  if not e then break end
  if alive(entry_of(e)) then
    redis.call('RPUSH', L .. ':q', e)
    moved = moved + 1
  end
end
if moved > 0 then mark_queued(L) end
return {moved}
`,
  // KEYS: cond, lock. ARGV: prefix, lock kind, lock name, ticket, lease -> {notified, granted, token | ms left}
  "cond.cancel": `
local bad = kind('Condition', ARGV[3]) if bad then return bad end
local L = KEYS[2]
local t = ARGV[4]
local notified = 1
if redis.call('LREM', K .. ':cq', 0, t .. '|' .. ARGV[5]) > 0 then notified = 0 end
local r = acquire(L, t, tonumber(ARGV[5]), '1')
return {notified, r[1], r[2]}
`,
};
