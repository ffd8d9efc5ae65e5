// The cluster's stream on Redis, as every node writes and reads it.

// Appends one entry to the stream with the next offset as its id, so every
// node reads messages, presence changes and session changes in one order.
// A message is not appended twice: (sender, id) is remembered for the window.
export const APPEND = `
if ARGV[5] ~= '' then
  local existing = redis.call('GET', ARGV[5])
  if existing then return {1, tonumber(existing)} end
end
local offset = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '0-' .. offset, 'k', ARGV[1], 'v', ARGV[2])
if ARGV[5] ~= '' then redis.call('SET', ARGV[5], offset, 'PX', ARGV[4]) end
if ARGV[6] == 'hset' then redis.call('HSET', KEYS[3], ARGV[7], ARGV[8]) end
if ARGV[6] == 'hdel' then redis.call('HDEL', KEYS[3], ARGV[7]) end
return {0, offset}
`;

/** The offset a stream entry's id (`0-<offset>`) carries. */
export const offsetOf = (id: string): number => Number(id.slice(id.indexOf('-') + 1));
