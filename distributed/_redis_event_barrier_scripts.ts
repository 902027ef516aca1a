/**
 * The Redis engine's Event and Barrier scripts: both keep their waiting
 * tickets in one list (`K:w`) and wake them all at once. A Barrier's
 * helpers (its cycle's pass, its break and its state, with the deadline of
 * a running action) go before the `barrier.*` scripts.
 *
 * @module
 */

/** The scripts of `event.*` (without the prelude). */
export const EVENT_SCRIPTS: Record<string, string> = {
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
};

/** The Barrier helpers (Lua), appended to the prelude of the `barrier.*` scripts. */
export const BARRIER_HELPERS = `
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

/** The scripts of `barrier.*` (without the prelude). */
export const BARRIER_SCRIPTS: Record<string, string> = {
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
};
