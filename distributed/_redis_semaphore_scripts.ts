/**
 * The Redis engine's Semaphore scripts (`sem.*`) and their helpers: free
 * permits in the hash's `free` field, leased permits in `K:h` (ticket ->
 * deadline, taken back when it passes), queued entries in `K:q`, each
 * handed a freed permit oldest first.
 *
 * @module
 */

/** The Semaphore helpers (Lua), appended to the prelude of the `sem.*` scripts. */
export const SEMAPHORE_HELPERS = `
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

/** The scripts of `sem.*` (without the prelude). */
export const SEMAPHORE_SCRIPTS: Record<string, string> = {
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
};
