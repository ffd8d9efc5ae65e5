// Read positions shared by the nodes of a cluster: a hash per room,
// `{prefix}:reads:{room}`, field the member, value JSON {offset, peer, at}.
import type { RedisClientType } from 'redis';
import type { Peer } from '../../protocol/frames.js';
import { readersOf, type ReadPosition, type ReadPositionLimits, type ReadPositions, type Readers } from '../read-positions.js';

/**
 * Moves a position atomically (two nodes may move one member at once: never
 * back), renews the key's life, and trims the least recently moved beyond the
 * bound. An expired position is replaced, as in memory. KEYS[1] the hash;
 * ARGV member, offset, value, maxAge ms, bound, now.
 */
const MOVE = `
local known = redis.call('HGET', KEYS[1], ARGV[1])
if known then
  local ok, position = pcall(cjson.decode, known)
  if ok and type(position) == 'table' and tonumber(position.offset) and tonumber(position.offset) >= tonumber(ARGV[2])
    and tonumber(position.at) and tonumber(ARGV[6]) - tonumber(position.at) <= tonumber(ARGV[4]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local bound = tonumber(ARGV[5])
if redis.call('HLEN', KEYS[1]) <= bound then return 1 end
local all = redis.call('HGETALL', KEYS[1])
local ages = {}
for i = 1, #all, 2 do
  local ok, position = pcall(cjson.decode, all[i + 1])
  ages[#ages + 1] = { all[i], (ok and type(position) == 'table' and tonumber(position.at)) or 0 }
end
table.sort(ages, function(a, b) return a[2] < b[2] end)
for i = 1, #ages - bound do redis.call('HDEL', KEYS[1], ages[i][1]) end
return 1
`;

export class RedisReadPositions implements ReadPositions {
  constructor(
    private readonly client: RedisClientType,
    private readonly prefix: string,
    private readonly limits: ReadPositionLimits,
  ) {}

  private key(room: string): string {
    return `${this.prefix}:reads:${room}`;
  }

  async move(room: string, member: string, offset: number, peer: Peer, now = Date.now()): Promise<void> {
    const value = JSON.stringify({ offset, peer, at: now } satisfies ReadPosition);
    await this.client.eval(MOVE, {
      keys: [this.key(room)],
      arguments: [member, String(offset), value, String(this.limits.maxAge), String(this.limits.bound), String(now)],
    });
  }

  async readers(room: string, offset: number, except: string, limit: number, now = Date.now()): Promise<Readers> {
    const positions: Array<[string, ReadPosition]> = [];
    for (const [member, value] of Object.entries(await this.client.hGetAll(this.key(room)))) {
      const position = parse(value);
      if (position) positions.push([member, position]);
    }
    return readersOf(positions, offset, except, limit, now - this.limits.maxAge);
  }
}

/** A stored position, or undefined when the value is not one (another version wrote it, or someone by hand). */
function parse(value: string): ReadPosition | undefined {
  try {
    const position = JSON.parse(value) as Partial<ReadPosition>;
    const peer = position.peer as Partial<Peer> | undefined;
    if (typeof position.offset !== 'number' || typeof position.at !== 'number' || typeof peer?.id !== 'string' || typeof peer.name !== 'string') return undefined;
    return { offset: position.offset, at: position.at, peer: { id: peer.id, name: peer.name, addr: typeof peer.addr === 'string' ? peer.addr : '' } };
  } catch {
    return undefined;
  }
}
