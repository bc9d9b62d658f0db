/**
 * The circuits of one user's credentials for one provider are one Redis hash, fields
 * `<credential>:f` (consecutive failures), `<credential>:o` (opened at, ms) and `<credential>:p`
 * (probe held until, ms). Times come from Redis's clock so replicas agree on cool-downs. Every
 * script answers with that clock's `now` last.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS[1] hash. Answers every field and value, then now. */
export const READ_SCRIPT = `${NOW}
local all = redis.call('HGETALL', KEYS[1])
all[#all + 1] = tostring(now)
return all`;

/**
 * KEYS[1] hash; ARGV credential, threshold, cool-down ms, key ttl ms.
 * Counts a failure; opens at the threshold; a failure past the cool-down (half-open) re-opens.
 * Answers {failures, opened_at, probe_until, now}.
 */
export const FAILURE_SCRIPT = `${NOW}
local c = ARGV[1]
local f = redis.call('HINCRBY', KEYS[1], c .. ':f', 1)
local o = tonumber(redis.call('HGET', KEYS[1], c .. ':o') or '0')
local p = tonumber(redis.call('HGET', KEYS[1], c .. ':p') or '0')
if o > 0 then
  if now >= o + tonumber(ARGV[3]) then
    o = now
    p = 0
    redis.call('HSET', KEYS[1], c .. ':o', o)
    redis.call('HDEL', KEYS[1], c .. ':p')
  end
elseif f >= tonumber(ARGV[2]) then
  o = now
  redis.call('HSET', KEYS[1], c .. ':o', o)
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {f, o, p, now}`;

/** KEYS[1] hash; ARGV credential. Closes the circuit. */
export const SUCCESS_SCRIPT = `redis.call('HDEL', KEYS[1], ARGV[1] .. ':f', ARGV[1] .. ':o', ARGV[1] .. ':p')
return 1`;

/**
 * KEYS[1] hash; ARGV credential, cool-down ms. Grants the half-open probe when the cool-down has
 * ended and no other probe holds it (for at most one cool-down, so a dead caller frees it).
 * Answers {verdict (0 refused, 1 closed, 2 probe), failures, opened_at, probe_until, now}.
 */
export const PROBE_SCRIPT = `${NOW}
local c = ARGV[1]
local f = tonumber(redis.call('HGET', KEYS[1], c .. ':f') or '0')
local o = tonumber(redis.call('HGET', KEYS[1], c .. ':o') or '0')
local p = tonumber(redis.call('HGET', KEYS[1], c .. ':p') or '0')
if o == 0 then return {1, f, o, p, now} end
if now < o + tonumber(ARGV[2]) or p > now then return {0, f, o, p, now} end
p = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], c .. ':p', p)
return {2, f, o, p, now}`;

/** KEYS[1] hash; ARGV credential. Frees a probe without a verdict. */
export const RELEASE_SCRIPT = `redis.call('HDEL', KEYS[1], ARGV[1] .. ':p')
return 1`;
