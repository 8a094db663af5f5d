/**
 * budget-arithmetic.ts's `spend` as one Redis script, so checking both budgets and spending
 * from both is one atomic step and one round trip, whichever gateway asks. Redis's clock is
 * the only clock, so gateways whose clocks disagree still share one budget.
 *
 * KEYS[1]: the client's bucket, a hash { r = TAT of requests, c = TAT of cost } in µs.
 * ARGV: window µs, µs per request, µs per cost unit, the operation's cost.
 * Returns { 1 } when allowed; { 0, 1 | 2 (requests | cost), µs to wait } when refused, having written nothing.
 */
export const consumeScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local window = tonumber(ARGV[1])
local stored = redis.call('HMGET', KEYS[1], 'r', 'c')
local requests = math.max(tonumber(stored[1]) or 0, now) + tonumber(ARGV[2])
local cost = math.max(tonumber(stored[2]) or 0, now) + tonumber(ARGV[4]) * tonumber(ARGV[3])
local requestWait = requests - window - now
local costWait = cost - window - now
if requestWait > 0 or costWait > 0 then
  if requestWait >= costWait then return { 0, 1, requestWait } end
  return { 0, 2, costWait }
end
redis.call('HSET', KEYS[1], 'r', string.format('%.0f', requests), 'c', string.format('%.0f', cost))
redis.call('PEXPIRE', KEYS[1], math.ceil((math.max(requests, cost) - now) / 1000))
return { 1 }
`;
