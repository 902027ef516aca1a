/**
 * The Redis engine's Queue scripts (`queue.*`, for `Queue` and `LifoQueue`)
 * and their helpers: items in `K:i`, waiting getters and putters in `K:g`
 * and `K:p`, an item reserved for a woken getter in `K:r` and a slot for a
 * woken putter in `K:s`, items not yet acknowledged per client in
 * `K:f:<client>` (given back when that client dies), and `join()`'s waiters
 * in `K:w`.
 *
 * @module
 */

/** The Queue helpers (Lua), appended to the prelude of the `queue.*` scripts. */
export const QUEUE_HELPERS = `
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

/** The scripts of `queue.*` (without the prelude). */
export const QUEUE_SCRIPTS: Record<string, string> = {
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
