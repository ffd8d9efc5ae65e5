// How long each room's broadcasts stay in its history (`roomRetention`):
// the option checked once, and each room's rule looked up.

/** What history shows of one room's broadcasts: none older than `maxAge` ms, none beyond its newest `maxMessages`. */
export interface RoomRetentionRule {
  readonly maxAge?: number;
  readonly maxMessages?: number;
}

/** Rules by room; the key `*` holds the rule of every room not listed. */
export type RoomRetention = Readonly<Record<string, RoomRetentionRule>>;

/** The key of the rule for every room not listed. */
export const EVERY_OTHER_ROOM = '*';

/** The rule for `room`: its own, else the `*` one, else none (history shows whatever the log keeps). */
export function retentionOf(retention: RoomRetention, room: string): RoomRetentionRule | undefined {
  return Object.hasOwn(retention, room) ? retention[room] : Object.hasOwn(retention, EVERY_OTHER_ROOM) ? retention[EVERY_OTHER_ROOM] : undefined;
}

/** Checks `roomRetention`, naming what is wrong; returns a copy the caller cannot change under the relay. */
export function validateRoomRetention(value: unknown): RoomRetention {
  const fail = (detail: string): never => {
    throw new TypeError(`createRelayServer: roomRetention${detail}`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(' must be an object of rules by room, such as {"*": {"maxAge": 86400000}, "support": {"maxMessages": 500}}');
  }
  const rules: Record<string, RoomRetentionRule> = {};
  for (const [room, rule] of Object.entries(value)) {
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) fail(`[${JSON.stringify(room)}] must be an object with maxAge and/or maxMessages`);
    const copy: { maxAge?: number; maxMessages?: number } = {};
    for (const [key, limit] of Object.entries(rule as object)) {
      if (key !== 'maxAge' && key !== 'maxMessages') fail(`[${JSON.stringify(room)}] has an unknown key ${JSON.stringify(key)} (maxAge, maxMessages)`);
      if (!Number.isSafeInteger(limit) || (limit as number) <= 0) {
        fail(`[${JSON.stringify(room)}].${key} must be a positive integer, got ${JSON.stringify(limit)}`);
      }
      copy[key as 'maxAge' | 'maxMessages'] = limit as number;
    }
    rules[room] = copy;
  }
  return rules;
}
