/**
 * Lua run atomically by Redis. Every key one script touches carries one hash tag (the user's
 * home, see home.ts: the user's own tag, or its team's), so on Redis Cluster they all live in
 * one slot and the script may run at all.
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
 * KEYS: spend hash (month), reservations hash, reservation expiry zset, 6 bucket TATs
 *       (user requests, user tokens, key requests, key tokens, team requests, team tokens),
 *       then per level: its spend hash (period), reservations hash, expiry zset,
 *       and last the home's "moved" marker (see CounterStore.retire)
 * ARGV: now|'', reservation id, amount, limit (-1 = do not refuse), ttl ms,
 *       6 bucket limits per minute (0 = none), tokens, lease quantity wanted (1 = none),
 *       lease only ('1': a lease or nothing), number of levels, then per level: its limit and
 *       '1' for a calls level (reserves 1 per call, has no spend counter) else '0'
 * Returns {'moved'} (the user's counters have moved to another home: nothing was done)
 *       | {'seed', i...} (0 = the user's month counter, j = level j) | {'duplicate'}
 *       | {'budget', spent, reserved, level (0 = the user's budget)}
 *       | {'rate', bucket, retry_ms, 6 × (remaining, reset_ms)}
 *       | {'nolease'} | {'ok', spent, reserved, 6 × (remaining, reset_ms), granted}
 *       (remaining -1 = bucket inactive; granted = calls reserved for, amount/requests/tokens × granted)
 *
 * Every level is checked before anything is written, and then all are reserved: a call is
 * admitted by every level at once or by none.
 *
 * A lease is granted only with wide headroom, so that near any limit every call takes the exact
 * per-call path: it holds at most 1/HEADROOM of the budget left at every level (the user's in
 * hard mode), and of each bucket's per-minute limit, and leaves each bucket at least half full.
 * The quantity shrinks to fit those rules; below MIN_LEASE a lease saves too little to be worth
 * its own settle. A calls level is never leased: a lease would hold its slots while idle.
 */
export const ADMIT_SCRIPT = `${COMMON}
local HEADROOM = 100
local MIN_LEASE = 4
local MAX_SAFE = 9007199254740991
local BUCKETS = 6
local now = now_ms(ARGV[1])
local lease_only = ARGV[14] == '1'
if redis.call('EXISTS', KEYS[#KEYS]) == 1 then return {'moved'} end
local reserved = sweep(KEYS[2], KEYS[3], now)
-- An id already in the expiry set was admitted before (this is a re-send) or cancelled.
if redis.call('ZSCORE', KEYS[3], ARGV[2]) then return {'duplicate'} end
local nlevels = tonumber(ARGV[15])
local missing = {}
local spent = redis.call('HGET', KEYS[1], 'spent')
if not spent then missing[#missing + 1] = '0' end
local levels = {}
for j = 1, nlevels do
  local k = 9 + (j - 1) * 3
  local lv = {spend = KEYS[k + 1], res = KEYS[k + 2], exp = KEYS[k + 3],
    limit = tonumber(ARGV[15 + 2 * j - 1]), calls = ARGV[15 + 2 * j] == '1', spent = 0}
  lv.reserved = sweep(lv.res, lv.exp, now)
  if not lv.calls then
    local s = redis.call('HGET', lv.spend, 'spent')
    if s then lv.spent = tonumber(s) else missing[#missing + 1] = tostring(j) end
  end
  levels[j] = lv
end
if #missing > 0 then
  if lease_only then return {'nolease'} end
  local out = {'seed'}
  for _, i in ipairs(missing) do out[#out + 1] = i end
  return out
end
spent = tonumber(spent)
local amount = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
if limit >= 0 and spent + reserved + amount > limit then
  if lease_only then return {'nolease'} end
  return {'budget', int(spent), int(reserved), '0'}
end
local has_calls = false
for j = 1, nlevels do
  local lv = levels[j]
  local unit = amount
  if lv.calls then unit = 1; has_calls = true end
  if lv.spent + lv.reserved + unit > lv.limit then
    if lease_only then return {'nolease'} end
    return {'budget', int(lv.spent), int(lv.reserved), tostring(j)}
  end
end
local tokens = tonumber(ARGV[12])
local lims, tats = {}, {}
for i = 1, BUCKETS do
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

local q = tonumber(ARGV[13])
if has_calls then q = 1 end
if q > 1 then
  if amount > 0 then
    if limit >= 0 then
      q = math.min(q, math.floor((limit - spent - reserved) / (HEADROOM * amount)))
    end
    for j = 1, nlevels do
      local lv = levels[j]
      q = math.min(q, math.floor((lv.limit - lv.spent - lv.reserved) / (HEADROOM * amount)))
    end
  end
  if amount * q > MAX_SAFE then q = 1 end
  for i = 1, BUCKETS do
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
  for i = 1, BUCKETS do
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
  for i = 1, BUCKETS do
    if new_tats[i] then
      redis.call('SET', KEYS[3 + i], string.format('%.3f', new_tats[i]), 'PX', math.ceil(new_tats[i] - now) + 1000)
    end
  end
  local ttl = tonumber(ARGV[5])
  local total = amount * q
  local function hold(res, exp, value)
    redis.call('HSET', res, ARGV[2], int(value))
    redis.call('HINCRBY', res, '_total', int(value))
    redis.call('ZADD', exp, now + ttl, ARGV[2])
    redis.call('PEXPIRE', res, ttl + 60000)
    redis.call('PEXPIRE', exp, ttl + 60000)
  end
  hold(KEYS[2], KEYS[3], total)
  for j = 1, nlevels do
    local lv = levels[j]
    if lv.calls then hold(lv.res, lv.exp, q) else hold(lv.res, lv.exp, total) end
  end
  out = {'ok', int(spent), int(reserved + total)}
end
for i = 1, BUCKETS do
  out[#out + 1] = states[i][1]
  out[#out + 1] = states[i][2]
end
if refused == 0 then out[#out + 1] = tostring(q) end
return out
`;

/**
 * KEYS: spend hash (month at settle time), reservations hash, expiry zset, 6 bucket TATs
 *       (as ADMIT_SCRIPT), then per level: its spend hash (period at settle time),
 *       reservations hash, expiry zset
 * ARGV: now|'', reservation id, actual amount ('' = release), token delta, 6 bucket limits,
 *       request delta, amount kept reserved (calls of a lease still in flight; 0 = drop it),
 *       number of levels, then per level '1' for a calls level else '0'
 * Returns {before, after} of the user's month, then of each level
 *       ('' when a counter does not exist: it is seeded later; always '' for a calls level).
 */
export const SETTLE_SCRIPT = `${COMMON}
local now = now_ms(ARGV[1])
local keep = tonumber(ARGV[12])
local function release(res, exp, kept)
  local amount = redis.call('HGET', res, ARGV[2])
  if not amount then return end
  amount = tonumber(amount)
  if kept > amount then kept = amount end
  if kept > 0 then
    redis.call('HSET', res, ARGV[2], int(kept))
    redis.call('HINCRBY', res, '_total', int(kept - amount))
  else
    redis.call('HDEL', res, ARGV[2])
    redis.call('HINCRBY', res, '_total', int(-amount))
    redis.call('ZREM', exp, ARGV[2])
  end
end
local function book(spend, with_seq)
  if ARGV[3] == '' then return {'', ''} end
  local before = redis.call('HGET', spend, 'spent')
  if not before then return {'', ''} end
  redis.call('HINCRBY', spend, 'spent', ARGV[3])
  if with_seq then
    redis.call('HINCRBY', spend, 'seq', 1)
    redis.call('HSET', spend, 'last', int(now))
  end
  return {before, redis.call('HGET', spend, 'spent')}
end
release(KEYS[2], KEYS[3], keep)
-- Corrections never move a TAT into the past: that would bank unused capacity.
for i = 1, 6 do
  local delta = tonumber(ARGV[4])
  if i % 2 == 1 then delta = tonumber(ARGV[11]) end
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
local out = book(KEYS[1], true)
for j = 1, tonumber(ARGV[13]) do
  local k = 9 + (j - 1) * 3
  if ARGV[13 + j] == '1' then
    release(KEYS[k + 2], KEYS[k + 3], 0)
    out[#out + 1] = ''
    out[#out + 1] = ''
  else
    release(KEYS[k + 2], KEYS[k + 3], keep)
    local r = book(KEYS[k + 1], false)
    out[#out + 1] = r[1]
    out[#out + 1] = r[2]
  end
end
return out
`;

/**
 * KEYS: reservations hash, expiry zset, 6 bucket TATs (as ADMIT_SCRIPT), then per level its
 *       reservations hash and expiry zset
 * ARGV: now|'', reservation id, amount per call, tokens per call, 6 bucket limits, ttl ms,
 *       number of levels
 * Returns 1 if a reservation was dropped, 0 if none was there.
 *
 * Undoes an admission whose answer was given up on: its reservations go and its rate-limit
 * charge comes back (a lease's, calls = reserved / amount per call). Either way the id stays in
 * the user's expiry set for the TTL with no reservation behind it, so an admission of this id
 * that runs only now (re-sent, or queued behind a timeout) finds it and reserves nothing; sweep
 * removes it with the TTL.
 */
export const CANCEL_SCRIPT = `${COMMON}
local now = now_ms(ARGV[1])
local ttl = tonumber(ARGV[11])
local amount = redis.call('HGET', KEYS[1], ARGV[2])
if amount then
  amount = tonumber(amount)
  redis.call('HDEL', KEYS[1], ARGV[2])
  redis.call('HINCRBY', KEYS[1], '_total', int(-amount))
  local per = tonumber(ARGV[3])
  local calls = 1
  if per > 0 then calls = math.max(1, math.floor(amount / per + 0.5)) end
  for i = 1, 6 do
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
for j = 1, tonumber(ARGV[12]) do
  local res = KEYS[8 + (j - 1) * 2 + 1]
  local exp = KEYS[8 + (j - 1) * 2 + 2]
  local held = redis.call('HGET', res, ARGV[2])
  if held then
    redis.call('HDEL', res, ARGV[2])
    redis.call('HINCRBY', res, '_total', -tonumber(held))
    redis.call('ZREM', exp, ARGV[2])
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

/** KEYS: a level's spend hash. ARGV: spent by rows past the grace. Returns 1 if raised. */
export const RAISE_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'spent')
if current and tonumber(ARGV[1]) > tonumber(current) then
  redis.call('HSET', KEYS[1], 'spent', ARGV[1])
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
