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
 *       4 bucket limits per minute (0 = none), tokens, lease quantity wanted (1 = none),
 *       lease only ('1': a lease or nothing)
 * Returns {'seed'} | {'duplicate'} | {'budget', spent, reserved} | {'rate', bucket, retry_ms, 4 × (remaining, reset_ms)}
 *       | {'nolease'} | {'ok', spent, reserved, 4 × (remaining, reset_ms), granted}
 *       (remaining -1 = bucket inactive; granted = calls reserved for, amount/requests/tokens × granted)
 *
 * A lease is granted only with wide headroom, so that near any limit every call takes the exact
 * per-call path: it holds at most 1/HEADROOM of the budget left (in hard mode), and of each
 * bucket's per-minute limit, and leaves each bucket at least half full. The quantity shrinks to
 * fit those rules; below MIN_LEASE a lease saves too little to be worth its own settle.
 */
export const ADMIT_SCRIPT = `${COMMON}
local HEADROOM = 100
local MIN_LEASE = 4
local MAX_SAFE = 9007199254740991
local now = now_ms(ARGV[1])
local lease_only = ARGV[12] == '1'
local reserved = sweep(KEYS[2], KEYS[3], now)
-- An id already in the expiry set was admitted before (this is a re-send) or cancelled.
if redis.call('ZSCORE', KEYS[3], ARGV[2]) then return {'duplicate'} end
local spent = redis.call('HGET', KEYS[1], 'spent')
if not spent then
  if lease_only then return {'nolease'} end
  return {'seed'}
end
spent = tonumber(spent)
local amount = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
if limit >= 0 and spent + reserved + amount > limit then
  if lease_only then return {'nolease'} end
  return {'budget', int(spent), int(reserved)}
end
local tokens = tonumber(ARGV[10])
local lims, tats = {}, {}
for i = 1, 4 do
  lims[i] = tonumber(ARGV[5 + i])
  if lims[i] > 0 then
    tats[i] = tonumber(redis.call('GET', KEYS[3 + i]) or '0')
    if tats[i] < now then tats[i] = now end
  end
end
local function unit(i)
  if i % 2 == 0 then return tokens end
  return 1
end

local q = tonumber(ARGV[11])
if q > 1 then
  if limit >= 0 and amount > 0 then
    q = math.min(q, math.floor((limit - spent - reserved) / (HEADROOM * amount)))
  end
  if amount * q > MAX_SAFE then q = 1 end
  for i = 1, 4 do
    if lims[i] > 0 and unit(i) > 0 then
      local interval = PERIOD / lims[i]
      q = math.min(q, math.floor(lims[i] / (HEADROOM * unit(i))))
      q = math.min(q, math.floor((now + PERIOD / 2 - tats[i]) / (unit(i) * interval) + 1e-9))
    end
  end
  if q < MIN_LEASE then q = 1 end
end
if q == 1 and lease_only then return {'nolease'} end

local function decide(quantity)
  local new_tats, states = {}, {}
  local refused, retry = 0, 0
  for i = 1, 4 do
    if lims[i] > 0 then
      local interval = PERIOD / lims[i]
      local tat = tats[i]
      local new_tat = tat + quantity * unit(i) * interval
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
  return refused, retry, new_tats, states
end

local refused, retry, new_tats, states = decide(q)
if refused > 0 and q > 1 then
  if lease_only then return {'nolease'} end
  q = 1
  refused, retry, new_tats, states = decide(q)
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
  local total = amount * q
  redis.call('HSET', KEYS[2], ARGV[2], int(total))
  redis.call('HINCRBY', KEYS[2], '_total', int(total))
  redis.call('ZADD', KEYS[3], now + ttl, ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ttl + 60000)
  redis.call('PEXPIRE', KEYS[3], ttl + 60000)
  out = {'ok', int(spent), int(reserved + total)}
end
for i = 1, 4 do
  out[#out + 1] = states[i][1]
  out[#out + 1] = states[i][2]
end
if refused == 0 then out[#out + 1] = tostring(q) end
return out
`;

/**
 * KEYS: spend hash (month at settle time), reservations hash, expiry zset, 4 bucket TATs
 *       (user requests, user tokens, key requests, key tokens)
 * ARGV: now|'', reservation id, actual amount ('' = release), token delta, 4 bucket limits,
 *       request delta, amount kept reserved (calls of a lease still in flight; 0 = drop it)
 * Returns {before, after} ('' when the month's counter does not exist: it is seeded later).
 */
export const SETTLE_SCRIPT = `${COMMON}
local now = now_ms(ARGV[1])
local amount = redis.call('HGET', KEYS[2], ARGV[2])
if amount then
  amount = tonumber(amount)
  local keep = tonumber(ARGV[10])
  if keep > amount then keep = amount end
  if keep > 0 then
    redis.call('HSET', KEYS[2], ARGV[2], int(keep))
    redis.call('HINCRBY', KEYS[2], '_total', int(keep - amount))
  else
    redis.call('HDEL', KEYS[2], ARGV[2])
    redis.call('HINCRBY', KEYS[2], '_total', int(-amount))
    redis.call('ZREM', KEYS[3], ARGV[2])
  end
end
-- Corrections never move a TAT into the past: that would bank unused capacity.
for i = 1, 4 do
  local delta = tonumber(ARGV[4])
  if i % 2 == 1 then delta = tonumber(ARGV[9]) end
  local lim = tonumber(ARGV[4 + i])
  local tat = redis.call('GET', KEYS[3 + i])
  if delta ~= 0 and lim > 0 and tat then
    tat = tonumber(tat)
    if delta > 0 and tat < now then tat = now end
    local new_tat = tat + delta * (PERIOD / lim)
    if new_tat < now then new_tat = now end
    redis.call('SET', KEYS[3 + i], string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now) + 1000)
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

/**
 * KEYS: reservations hash, expiry zset, 4 bucket TATs (as ADMIT_SCRIPT)
 * ARGV: now|'', reservation id, amount per call, tokens per call, 4 bucket limits, ttl ms
 * Returns 1 if a reservation was dropped, 0 if none was there.
 *
 * Undoes an admission whose answer was given up on: its reservation goes and its rate-limit
 * charge comes back (a lease's, calls = reserved / amount per call). Either way the id stays in
 * the expiry set for the TTL with no reservation behind it, so an admission of this id that
 * runs only now (re-sent, or queued behind a timeout) finds it and reserves nothing; sweep
 * removes it with the TTL.
 */
export const CANCEL_SCRIPT = `${COMMON}
local now = now_ms(ARGV[1])
local ttl = tonumber(ARGV[9])
local amount = redis.call('HGET', KEYS[1], ARGV[2])
if amount then
  amount = tonumber(amount)
  redis.call('HDEL', KEYS[1], ARGV[2])
  redis.call('HINCRBY', KEYS[1], '_total', int(-amount))
  local per = tonumber(ARGV[3])
  local calls = 1
  if per > 0 then calls = math.max(1, math.floor(amount / per + 0.5)) end
  for i = 1, 4 do
    local lim = tonumber(ARGV[4 + i])
    local tat = redis.call('GET', KEYS[2 + i])
    if lim > 0 and tat then
      local unit = 1
      if i % 2 == 0 then unit = tonumber(ARGV[4]) end
      local new_tat = tonumber(tat) - calls * unit * (PERIOD / lim)
      if new_tat < now then new_tat = now end
      redis.call('SET', KEYS[2 + i], string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now) + 1000)
    end
  end
end
redis.call('ZADD', KEYS[2], now + ttl, ARGV[2])
redis.call('PEXPIRE', KEYS[2], ttl + 60000)
if amount then return 1 end
return 0
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
 * grace ms, expiry ms, spent by rows older than the grace. Returns the action taken (see
 * CounterStore.reconcile).
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
if tonumber(ARGV[6]) > current then
  redis.call('HSET', KEYS[1], 'spent', ARGV[6])
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
