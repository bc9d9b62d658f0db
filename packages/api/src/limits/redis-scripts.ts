/**
 * Lua run atomically by Redis. Every key of one user carries the hash tag {userId}, so a user's
 * keys live in one cluster slot and one script may touch them all.
 *
 * Money is integer nano-USD (see money.ts); Lua numbers are doubles, exact below 2^53.
 * Time is Redis's own clock (TIME) unless the caller passes one (tests), so replicas with
 * skewed clocks still share one timeline for rate limits and reservation expiry.
 * The GCRA arithmetic mirrors gcra.ts.
 */

const COMMON = `
local PERIOD = 60000
local EPSILON = 0.001
local function now_ms(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(n) return string.format('%d', n) end
-- Drops reservations whose TTL passed: a crashed process never settles them.
local function sweep(res, exp, now)
  local stale = redis.call('ZRANGEBYSCORE', exp, '-inf', now, 'LIMIT', 0, 256)
  for _, id in ipairs(stale) do
    local amount = redis.call('HGET', res, id)
    if amount then
      redis.call('HDEL', res, id)
      redis.call('HINCRBY', res, '_total', -tonumber(amount))
    end
    redis.call('ZREM', exp, id)
  end
  local total = tonumber(redis.call('HGET', res, '_total') or '0')
  if total < 0 then total = 0 end
  return total
end
`;

/**
 * KEYS: spend hash (month), reservations hash, reservation expiry zset, 4 bucket TATs
 *       (user requests, user tokens, key requests, key tokens)
 * ARGV: now|'', reservation id, amount, limit (-1 = do not refuse), ttl ms,
 *       4 bucket limits per minute (0 = none), tokens
 * Returns {'seed'} | {'budget', spent, reserved} | {'rate', bucket, retry_ms, 4 × (remaining, reset_ms)}
 *       | {'ok', spent, reserved, 4 × (remaining, reset_ms)}   (remaining -1 = bucket inactive)
 */
export const ADMIT_SCRIPT = `${COMMON}
local now = now_ms(ARGV[1])
local reserved = sweep(KEYS[2], KEYS[3], now)
local spent = redis.call('HGET', KEYS[1], 'spent')
if not spent then return {'seed'} end
spent = tonumber(spent)
local amount = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
if limit >= 0 and spent + reserved + amount > limit then
  return {'budget', int(spent), int(reserved)}
end
local tokens = tonumber(ARGV[10])
local new_tats = {}
local states = {}
local refused, retry = 0, 0
for i = 1, 4 do
  local lim = tonumber(ARGV[5 + i])
  if lim > 0 then
    local interval = PERIOD / lim
    local cost = 1
    if i % 2 == 0 then cost = tokens end
    local tat = tonumber(redis.call('GET', KEYS[3 + i]) or '0')
    if tat < now then tat = now end
    local new_tat = tat + cost * interval
    local after = tat
    if new_tat - now <= PERIOD + EPSILON then
      after = new_tat
    elseif new_tat - now - PERIOD > retry then
      refused = i
      retry = new_tat - now - PERIOD
    end
    new_tats[i] = new_tat
    local remaining = math.floor((PERIOD - (after - now)) / interval + 1e-9)
    if remaining < 0 then remaining = 0 end
    states[i] = {tostring(remaining), tostring(after - now)}
  else
    states[i] = {'-1', '0'}
  end
end
local out
if refused > 0 then
  out = {'rate', tostring(refused), tostring(retry)}
else
  for i = 1, 4 do
    if new_tats[i] then
      redis.call('SET', KEYS[3 + i], string.format('%.3f', new_tats[i]), 'PX', math.ceil(new_tats[i] - now) + 1000)
    end
  end
  local ttl = tonumber(ARGV[5])
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  redis.call('HINCRBY', KEYS[2], '_total', ARGV[3])
  redis.call('ZADD', KEYS[3], now + ttl, ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ttl + 60000)
  redis.call('PEXPIRE', KEYS[3], ttl + 60000)
  out = {'ok', int(spent), int(reserved + amount)}
end
for i = 1, 4 do
  out[#out + 1] = states[i][1]
  out[#out + 1] = states[i][2]
end
return out
`;

/**
 * KEYS: spend hash (month at settle time), reservations hash, expiry zset, user tokens TAT, key tokens TAT
 * ARGV: now|'', reservation id, actual amount ('' = release), token delta, user TPM, key TPM
 * Returns {before, after} ('' when the month's counter does not exist: it is seeded later).
 */
export const SETTLE_SCRIPT = `${COMMON}
local now = now_ms(ARGV[1])
local amount = redis.call('HGET', KEYS[2], ARGV[2])
if amount then
  redis.call('HDEL', KEYS[2], ARGV[2])
  redis.call('HINCRBY', KEYS[2], '_total', -tonumber(amount))
  redis.call('ZREM', KEYS[3], ARGV[2])
end
local delta = tonumber(ARGV[4])
if delta ~= 0 then
  for i = 1, 2 do
    local lim = tonumber(ARGV[4 + i])
    local tat = redis.call('GET', KEYS[3 + i])
    if lim > 0 and tat then
      tat = tonumber(tat)
      if delta > 0 and tat < now then tat = now end
      local new_tat = tat + delta * (PERIOD / lim)
      if new_tat < now then new_tat = now end
      redis.call('SET', KEYS[3 + i], string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now) + 1000)
    end
  end
end
if ARGV[3] == '' then return {'', ''} end
local before = redis.call('HGET', KEYS[1], 'spent')
if not before then return {'', ''} end
redis.call('HINCRBY', KEYS[1], 'spent', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'last', int(now))
return {before, redis.call('HGET', KEYS[1], 'spent')}
`;

/** KEYS: spend hash. ARGV: spent, expiry ms. First writer wins. */
export const SEED_SCRIPT = `
if redis.call('HSETNX', KEYS[1], 'spent', ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], 'seq', '0', 'last', '0')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** KEYS: reservations hash, expiry zset. ARGV: now|''. Returns the reserved total. */
export const RESERVED_SCRIPT = `${COMMON}
return int(sweep(KEYS[1], KEYS[2], now_ms(ARGV[1])))
`;

/**
 * KEYS: spend hash. ARGV: database spent, settle sequence read before the database, now|'',
 * grace ms, expiry ms. Returns the action taken (see CounterStore.reconcile).
 */
export const RECONCILE_SCRIPT = `${COMMON}
local now = now_ms(ARGV[3])
local current = redis.call('HGET', KEYS[1], 'spent')
if not current then
  redis.call('HSET', KEYS[1], 'spent', ARGV[1], 'seq', '0', 'last', '0')
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 'seeded'
end
local db = tonumber(ARGV[1])
current = tonumber(current)
if db > current then
  redis.call('HSET', KEYS[1], 'spent', ARGV[1])
  return 'raised'
end
if db < current then
  local seq = redis.call('HGET', KEYS[1], 'seq') or '0'
  local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
  if seq == ARGV[2] and now - last >= tonumber(ARGV[4]) then
    redis.call('HSET', KEYS[1], 'spent', ARGV[1])
    return 'lowered'
  end
end
return 'kept'
`;
