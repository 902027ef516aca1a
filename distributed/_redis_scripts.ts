/**
 * The Redis engine's operations: each is one Lua script, run atomically by
 * the server (one round trip). `KEYS[1]` is the primitive's hash (and
 * `KEYS[2]` a Condition's lock); `ARGV[1]` is the key prefix. Every script
 * returns an array whose first element is a status: negative codes are
 * errors (`-100` another kind of primitive has the name, `-101` the same
 * kind with another configuration).
 *
 * State of a primitive `K` (the same in the memory engine, `_memory_engine.ts`):
 *
 * | key        | what                                                                 |
 * |------------|----------------------------------------------------------------------|
 * | `K`        | hash: kind, cfg, and the primitive's fields (tok, free, count...)   |
 * | `K:o`      | string: a lock's owner ticket; its PX is the owner's lease          |
 * | `K:q`      | list: queued entries, oldest first (locks, semaphores)               |
 * | `K:cq`     | list: a Condition's waiting entries                                  |
 *
 * A queue entry is a ticket and its lease in ms, joined by a bar.
 * | `K:h`      | hash: a semaphore's leased permits, ticket -> deadline               |
 * | `K:w`      | list: tickets waiting for an Event, a Barrier's cycle, a Queue join  |
 * | `K:i`      | list: a queue's items; `K:g`, `K:p` its waiting getters and putters  |
 * | `K:r`      | hash: items reserved for a woken getter; `K:s` slots for a putter    |
 * | `K:a`      | set: clients with unacknowledged items, each in `K:f:<client>`       |
 *
 * A ticket is `<client>.<n>`; a client is alive while `<prefix>:c:<client>`
 * exists (its heartbeat renews it). A wake-up is pushed to the client's
 * list `<prefix>:w:<client>` as `<ticket>|<type>|...`.
 *
 * @module
 */

const PRELUDE = `
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
local function queued(list, t) return redis.call('LPOS', list, t) ~= false end
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
-- L passes to its oldest live queued ticket, or becomes free.
local function handoff(L)
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
      wake(w, 'L|' .. tok)
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

/** The script of each operation (without the prelude). */
export const SCRIPTS: Record<string, string> = {
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
local w, tok = handoff(K)
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
  // ARGV: prefix, kind, ticket, lease -> {1, handedTo} if it was the owner, else {0}
  "lock.cancel": `
local bad = kind(ARGV[2], '') if bad then return bad end
redis.call('LREM', K .. ':q', 0, ARGV[3] .. '|' .. ARGV[4])
if owner_in(K) == ARGV[3] then
  local w, tok = handoff(K)
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
local w, tok = handoff(L)
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
  // ARGV: prefix, kind, cfg, ticket, lease, mode -> {1} or {0, ms until the first lease ends, or -1}
  "sem.acquire": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
local n = now()
local free = sem_reap(n)
local t = ARGV[4]
if redis.call('HEXISTS', K .. ':h', t) == 1 then return {1} end
if free > 0 then
  redis.call('HINCRBY', K, 'free', -1)
  redis.call('HSET', K .. ':h', t, n + tonumber(ARGV[5]))
  redis.call('LREM', K .. ':q', 0, t .. '|' .. ARGV[5])
  return {1}
end
if ARGV[6] == '1' and not queued(K .. ':q', t .. '|' .. ARGV[5]) then
  redis.call('RPUSH', K .. ':q', t .. '|' .. ARGV[5])
end
return {0, sem_next(n)}
`,
  // ARGV: prefix, kind, cfg, bound (0: none), max, extra, permits... -> {1, lost} or {-3} above the bound or {-4} above max
  "sem.release": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
local n = now()
local free = sem_reap(n)
local valid = {}
local lost = 0
for i = 7, #ARGV do
  local dl = redis.call('HGET', K .. ':h', ARGV[i])
  if dl and tonumber(dl) > n then valid[#valid + 1] = ARGV[i] else lost = lost + 1 end
end
local extra = tonumber(ARGV[6])
local after = free + #valid + extra
local bound = tonumber(ARGV[4])
if bound > 0 and after + redis.call('HLEN', K .. ':h') - #valid > bound then return {-3} end
if after > tonumber(ARGV[5]) then return {-4} end
for _, p in ipairs(valid) do redis.call('HDEL', K .. ':h', p) end
redis.call('HSET', K, 'free', after)
sem_handoff(n)
return {1, lost}
`,
  // ARGV: prefix, kind, cfg, lease, permits... -> {lost permits...}
  "sem.renew": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
local n = now()
local lost = {}
for i = 5, #ARGV do
  local dl = redis.call('HGET', K .. ':h', ARGV[i])
  if dl and tonumber(dl) > n then
    redis.call('HSET', K .. ':h', ARGV[i], n + tonumber(ARGV[4]))
  else
    lost[#lost + 1] = ARGV[i]
  end
end
sem_reap(n)
return lost
`,
  // ARGV: prefix, kind, cfg, ticket, lease -> {1} if it held a permit (given back), else {0}
  "sem.cancel": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
local t = ARGV[4]
redis.call('LREM', K .. ':q', 0, t .. '|' .. ARGV[5])
if redis.call('HDEL', K .. ':h', t) == 1 then
  redis.call('HINCRBY', K, 'free', 1)
  sem_handoff(now())
  return {1}
end
return {0}
`,
  // ARGV: prefix, kind, cfg -> {free}
  "sem.value": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
return {sem_reap(now())}
`,
  // ARGV: prefix, ticket -> {1} set, or {0} registered
  "event.wait": `
local bad = kind('Event', '') if bad then return bad end
if redis.call('HGET', K, 'set') == '1' then return {1} end
if not queued(K .. ':w', ARGV[2]) then redis.call('RPUSH', K .. ':w', ARGV[2]) end
return {0}
`,
  // ARGV: prefix -> {woken}
  "event.set": `
local bad = kind('Event', '') if bad then return bad end
redis.call('HSET', K, 'set', '1')
local woken = 0
for _, t in ipairs(redis.call('LRANGE', K .. ':w', 0, -1)) do
  if alive(t) then wake(t, 'E') woken = woken + 1 end
end
redis.call('DEL', K .. ':w')
return {woken}
`,
  "event.clear": `
local bad = kind('Event', '') if bad then return bad end
redis.call('HSET', K, 'set', '0')
return {1}
`,
  "event.isSet": `
local bad = kind('Event', '') if bad then return bad end
if redis.call('HGET', K, 'set') == '1' then return {1} end
return {0}
`,
  // ARGV: prefix, ticket
  "event.cancel": `
local bad = kind('Event', '') if bad then return bad end
redis.call('LREM', K .. ':w', 0, ARGV[2])
return {1}
`,
  // ARGV: prefix, parties, ticket, has action, lease -> {status, index, gen}: 0 wait, 1 passed (last),
  // 2 run the action (last), 3 wait for the cycle to end then arrive again, -1 broken
  "barrier.arrive": `
local bad = kind('Barrier', ARGV[2]) if bad then return bad end
local n = now()
local s = barrier_state(n)
local gen = tonumber(redis.call('HGET', K, 'gen') or '0')
if s.broken then return {-1, 0, gen} end
local t = ARGV[3]
if s.action then
  if not queued(K .. ':w', t) then redis.call('RPUSH', K .. ':w', t) end
  return {3, 0, gen}
end
local count = redis.call('HINCRBY', K, 'count', 1)
local index = count - 1
if count >= tonumber(ARGV[2]) then
  if ARGV[4] == '1' then
    redis.call('HSET', K, 'count', 0, 'state', 'A', 'adl', n + tonumber(ARGV[5]))
    return {2, index, gen}
  end
  barrier_pass(gen)
  return {1, index, gen}
end
if not queued(K .. ':w', t) then redis.call('RPUSH', K .. ':w', t) end
return {0, index, gen}
`,
  // ARGV: prefix, parties, gen -> {1} passed or {-1} broken meanwhile
  "barrier.pass": `
local bad = kind('Barrier', ARGV[2]) if bad then return bad end
local gen = tonumber(redis.call('HGET', K, 'gen') or '0')
if redis.call('HGET', K, 'state') ~= 'A' or gen ~= tonumber(ARGV[3]) then return {-1} end
barrier_pass(gen)
return {1}
`,
  // ARGV: prefix, parties
  "barrier.abort": `
local bad = kind('Barrier', ARGV[2]) if bad then return bad end
barrier_break('1')
return {1}
`,
  // ARGV: prefix, parties
  "barrier.reset": `
local bad = kind('Barrier', ARGV[2]) if bad then return bad end
barrier_break('0')
redis.call('HINCRBY', K, 'gen', 1)
return {1}
`,
  // ARGV: prefix, parties -> {waiting, broken}
  "barrier.state": `
local bad = kind('Barrier', ARGV[2]) if bad then return bad end
local s = barrier_state(now())
if s.broken then return {0, 1} end
if s.action then return {0, 0} end
return {tonumber(redis.call('HGET', K, 'count') or '0'), 0}
`,
  // ARGV: prefix, kind, maxsize, ticket, item, mode -> {1} put, {0} queued, {-1} full, {-2} shut down
  "queue.put": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
queue_reap()
if redis.call('HGET', K, 'shut') == '1' then
  redis.call('HDEL', K .. ':s', ARGV[4])
  return {-2}
end
local t = ARGV[4]
if redis.call('HDEL', K .. ':s', t) == 0 then
  local max = tonumber(ARGV[3])
  if max > 0 and redis.call('LLEN', K .. ':i') + redis.call('HLEN', K .. ':s') >= max then
    if ARGV[6] == '1' then
      if not queued(K .. ':p', t) then redis.call('RPUSH', K .. ':p', t) end
      return {0}
    end
    return {-1}
  end
end
redis.call('LREM', K .. ':p', 0, t)
redis.call('RPUSH', K .. ':i', ARGV[5])
redis.call('HINCRBY', K, 'unf', 1)
queue_serve()
return {1}
`,
  // ARGV: prefix, kind, maxsize, ticket, mode, client to acknowledge ('' none) -> {1, item}, {0}, {-1} empty, {-2} shut down
  "queue.get": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
queue_reap()
local t = ARGV[4]
local item = redis.call('HGET', K .. ':r', t)
if item then
  redis.call('HDEL', K .. ':r', t)
else
  item = queue_pop()
  if item then queue_serve() end
end
if item then
  if ARGV[6] ~= '' then
    redis.call('RPUSH', K .. ':f:' .. ARGV[6], item)
    redis.call('SADD', K .. ':a', ARGV[6])
  end
  redis.call('LREM', K .. ':g', 0, t)
  return {1, item}
end
if redis.call('HGET', K, 'shut') == '1' then return {-2} end
if ARGV[5] == '1' then
  if not queued(K .. ':g', t) then redis.call('RPUSH', K .. ':g', t) end
  return {0}
end
return {-1}
`,
  // ARGV: prefix, kind, maxsize, ticket
  "queue.cancel": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
local t = ARGV[4]
redis.call('LREM', K .. ':g', 0, t)
redis.call('LREM', K .. ':p', 0, t)
redis.call('LREM', K .. ':w', 0, t)
local item = redis.call('HGET', K .. ':r', t)
if item then
  redis.call('HDEL', K .. ':r', t)
  queue_unpop(item)
end
redis.call('HDEL', K .. ':s', t)
queue_serve()
return {1}
`,
  // ARGV: prefix, kind, maxsize, client to acknowledge ('' none) -> {1} or {-1} more than put
  "queue.taskDone": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
local unf = tonumber(redis.call('HGET', K, 'unf') or '0')
if unf <= 0 then return {-1} end
if ARGV[4] ~= '' then redis.call('LPOP', K .. ':f:' .. ARGV[4]) end
queue_done(1)
return {1}
`,
  // ARGV: prefix, kind, maxsize, ticket -> {1} nothing unfinished, {0} registered
  "queue.join": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
if tonumber(redis.call('HGET', K, 'unf') or '0') <= 0 then return {1} end
if not queued(K .. ':w', ARGV[4]) then redis.call('RPUSH', K .. ':w', ARGV[4]) end
return {0}
`,
  // ARGV: prefix, kind, maxsize, immediate
  "queue.shutdown": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
redis.call('HSET', K, 'shut', '1')
if ARGV[4] == '1' then
  local dropped = redis.call('LLEN', K .. ':i')
  redis.call('DEL', K .. ':i')
  local unf = tonumber(redis.call('HGET', K, 'unf') or '0')
  if dropped > unf then dropped = unf end
  if dropped > 0 then queue_done(dropped) end
end
for _, list in ipairs({K .. ':g', K .. ':p'}) do
  for _, t in ipairs(redis.call('LRANGE', list, 0, -1)) do wake(t, 'Q') end
  redis.call('DEL', list)
end
return {1}
`,
  // ARGV: prefix, kind, maxsize -> {qsize, unfinished, shut}
  "queue.stats": `
local bad = kind(ARGV[2], ARGV[3]) if bad then return bad end
queue_reap()
return {redis.call('LLEN', K .. ':i'), tonumber(redis.call('HGET', K, 'unf') or '0'),
  tonumber(redis.call('HGET', K, 'shut') or '0')}
`,
};

const SEMAPHORE = `
-- Expired permits come back; then free permits go to live queued tickets.
local function sem_handoff(n)
  local free = tonumber(redis.call('HGET', K, 'free') or '0')
  while free > 0 do
    local e = redis.call('LPOP', K .. ':q')
    if not e then break end
    local w, lease = entry_of(e)
    if alive(w) then
      redis.call('HSET', K .. ':h', w, n + tonumber(lease))
      free = free - 1
      wake(w, 'S')
    end
  end
  redis.call('HSET', K, 'free', free)
  return free
end
local function sem_reap(n)
  if redis.call('HEXISTS', K, 'free') == 0 then redis.call('HSET', K, 'free', tonumber(ARGV[3])) end
  local held = redis.call('HGETALL', K .. ':h')
  local back = 0
  for i = 1, #held, 2 do
    if tonumber(held[i + 1]) <= n then
      redis.call('HDEL', K .. ':h', held[i])
      back = back + 1
    end
  end
  if back > 0 then redis.call('HINCRBY', K, 'free', back) end
  return sem_handoff(n)
end
local function sem_next(n)
  local held = redis.call('HGETALL', K .. ':h')
  local first = -1
  for i = 2, #held, 2 do
    local left = tonumber(held[i]) - n
    if first < 0 or left < first then first = left end
  end
  if first == 0 then first = 1 end
  return first
end
`;

const BARRIER = `
local function barrier_wake(msg)
  for _, t in ipairs(redis.call('LRANGE', K .. ':w', 0, -1)) do wake(t, msg) end
  redis.call('DEL', K .. ':w')
end
local function barrier_pass(gen)
  redis.call('HSET', K, 'gen', gen + 1, 'count', 0, 'state', '')
  barrier_wake('B|' .. gen .. '|P')
end
local function barrier_break(broken)
  local gen = tonumber(redis.call('HGET', K, 'gen') or '0')
  redis.call('HSET', K, 'broken', broken, 'count', 0, 'state', '')
  barrier_wake('B|' .. gen .. '|X')
end
local function barrier_state(n)
  local h = redis.call('HMGET', K, 'broken', 'state', 'adl')
  if h[2] == 'A' and tonumber(h[3]) <= n then
    barrier_break('1')
    return {broken = true}
  end
  return {broken = h[1] == '1', action = h[2] == 'A'}
end
`;

const QUEUE = `
local LIFO = ARGV[2] == 'LifoQueue'
local function queue_pop()
  if LIFO then return redis.call('RPOP', K .. ':i') end
  return redis.call('LPOP', K .. ':i')
end
local function queue_unpop(item)
  if LIFO then redis.call('RPUSH', K .. ':i', item) else redis.call('LPUSH', K .. ':i', item) end
end
local function queue_serve()
  while redis.call('LLEN', K .. ':i') > 0 do
    local g = redis.call('LPOP', K .. ':g')
    if not g then break end
    if alive(g) then
      redis.call('HSET', K .. ':r', g, queue_pop())
      wake(g, 'Q')
    end
  end
  local max = tonumber(ARGV[3])
  while max > 0 and redis.call('LLEN', K .. ':i') + redis.call('HLEN', K .. ':s') < max do
    local p = redis.call('LPOP', K .. ':p')
    if not p then break end
    if alive(p) then
      redis.call('HSET', K .. ':s', p, '1')
      wake(p, 'Q')
    end
  end
end
local function queue_reap()
  local reserved = redis.call('HGETALL', K .. ':r')
  for i = 1, #reserved, 2 do
    if not alive(reserved[i]) then
      redis.call('HDEL', K .. ':r', reserved[i])
      queue_unpop(reserved[i + 1])
    end
  end
  for _, t in ipairs(redis.call('HKEYS', K .. ':s')) do
    if not alive(t) then redis.call('HDEL', K .. ':s', t) end
  end
  for _, c in ipairs(redis.call('SMEMBERS', K .. ':a')) do
    if not alive_client(c) then
      local f = K .. ':f:' .. c
      local items = redis.call('LRANGE', f, 0, -1)
      for i = #items, 1, -1 do queue_unpop(items[i]) end
      redis.call('DEL', f)
      redis.call('SREM', K .. ':a', c)
    end
  end
  queue_serve()
end
local function queue_done(count)
  local unf = redis.call('HINCRBY', K, 'unf', -count)
  if unf <= 0 then
    for _, t in ipairs(redis.call('LRANGE', K .. ':w', 0, -1)) do wake(t, 'J') end
    redis.call('DEL', K .. ':w')
  end
end
`;

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
  const extra = family === "sem" ? SEMAPHORE : family === "barrier" ? BARRIER : family === "queue" ? QUEUE : "";
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
