// Model-based test (fast-check) of the panel's recipient selection: a world of
// people whose sessions join, leave, come back, expire and rename, and relays
// that restart, against what the writer picked (issue 12, item 1).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { follow, reach, refused, remove, resolve, toggle, type Presence, type Recipient } from '../../src/elements/ws-chat-panel/recipients.js';

type Op =
  | { kind: 'join'; person: number }
  | { kind: 'leave'; pick: number }
  | { kind: 'return'; pick: number }
  | { kind: 'expire'; pick: number }
  | { kind: 'restart' }
  | { kind: 'rename'; person: number; name: string }
  /** The person's next sessions come from another network address. */
  | { kind: 'move'; person: number; addr: string }
  | { kind: 'pick'; pick: number }
  | { kind: 'unpick'; pick: number }
  | { kind: 'send' }
  /** Our own link drops; meanwhile the sessions not kept leave and `joins` come (after a relay restart, if `restart`); one welcome says so. */
  | { kind: 'reconnect'; restart: boolean; keep: boolean[]; joins: number[] };

interface Session {
  id: string;
  person: number;
  name: string;
  addr: string;
  epoch: number;
  /** online; away (the relay keeps it); forgotten (expired, or lost in a restart). */
  state: 'online' | 'away' | 'forgotten';
}

/** What the test knows of each recipient and the panel does not: whom they were picked for. */
interface Truth {
  person: number;
  /** Where the session picked was. */
  addr: string;
  /** A namesake was seen: the recipient must keep its session from then on. */
  frozen: boolean;
  id: string;
}

const NAMES = ['Ada', 'Ben'];
/** Few addresses: people share one behind a NAT. */
const ADDRS = ['192.0.2.1', '192.0.2.2'];
const PEOPLE = 4;
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('join' as const), person: fc.nat(PEOPLE - 1) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('leave' as const), pick: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('return' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('expire' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'restart' as const }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('rename' as const), person: fc.nat(PEOPLE - 1), name: fc.constantFrom(...NAMES) }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('move' as const), person: fc.nat(PEOPLE - 1), addr: fc.constantFrom(...ADDRS) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('pick' as const), pick: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('unpick' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'send' as const }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('reconnect' as const),
      restart: fc.boolean(),
      keep: fc.array(fc.boolean(), { maxLength: 6 }),
      joins: fc.array(fc.nat(PEOPLE - 1), { maxLength: 4 }),
    }),
    weight: 2,
  },
);

describe('recipient selection (model-based)', () => {
  it('never widens, never narrows, never moves to a lookalike once one was seen nor to another address, and finds the person again when unambiguous', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...NAMES), { minLength: PEOPLE, maxLength: PEOPLE }),
        fc.array(fc.constantFrom(...ADDRS), { minLength: PEOPLE, maxLength: PEOPLE }),
        // With authentication the relay hides every address.
        fc.boolean(),
        fc.constantFrom('Me', 'Ada'),
        fc.array(op, { maxLength: 60, size: 'max' }),
        (initialNames, initialAddrs, hidden, selfName, ops) => {
          const names = [...initialNames];
          const addrs = [...initialAddrs];
          let epoch = 1;
          let nextId = 0;
          const sessions = new Map<string, Session>();
          const newSession = (person: number, name: string): Session => {
            const addr = person < 0 || hidden ? '' : addrs[person]!;
            const session: Session = { id: `s${++nextId}`, person, name, addr, epoch, state: 'online' };
            sessions.set(session.id, session);
            return session;
          };
          let self = newSession(-1, selfName);
          const online = () => [...sessions.values()].filter((s) => s.state === 'online' && s.epoch === epoch);
          const presence = (): Presence => ({
            roster: online().map(({ id, name, addr }) => ({ id, name, addr })),
            selfId: self.id,
            epoch: String(epoch),
          });
          let recipients: readonly Recipient[] = [];
          let truth: Truth[] = [];

          const check = (where: string) => {
            const now = presence();
            const others = online().filter((s) => s !== self);
            assert.equal(truth.length, recipients.length, `${where}: one recipient per pick`);
            recipients.forEach((recipient, i) => {
              const known = truth[i]!;
              if (known.frozen) assert.equal(recipient.id, known.id, `${where}: moved to a namesake after one was seen`);
              const session = sessions.get(recipient.id);
              assert.ok(session, `${where}: bound to a session that never existed`);
              assert.equal(session.name, recipient.name, `${where}: bound to someone of another name`);
              assert.equal(session.addr, known.addr, `${where}: bound to someone at another address`);
              assert.notEqual(recipient.id, self.id, `${where}: bound to oneself`);
              // Update what was seen, as of now.
              const namesakes = others.filter((s) => s.name === recipient.name && s.addr === known.addr);
              const held = new Set(recipients.filter((_, j) => j !== i).map((other) => other.id));
              const bound = namesakes.some((s) => s.id === recipient.id);
              const free = namesakes.filter((s) => !held.has(s.id));
              if ((bound && namesakes.length > 1) || (!bound && free.length > 1)) known.frozen = true;
              // Liveness: an unambiguous namesake online is found.
              if (!known.frozen && free.length === 1) {
                assert.equal(reach(recipient, now), 'online', `${where}: ${recipient.name} is back, alone by that name, and not found`);
              }
              known.id = recipient.id;
            });
            const resolution = resolve(recipients, now);
            if (recipients.length === 0) assert.equal(resolution.kind, 'everyone');
            else assert.notEqual(resolution.kind, 'everyone', `${where}: widened to everyone`);
            if (resolution.kind === 'private') {
              const ids = resolution.to.ids!;
              assert.equal(new Set(ids).size, recipients.length, `${where}: narrowed, or one session twice`);
              for (const id of ids) assert.equal(sessions.get(id)!.epoch, epoch, `${where}: addressed to a session of a relay that restarted`);
            } else if (resolution.kind === 'unreachable') {
              for (const recipient of resolution.who) {
                const session = sessions.get(recipient.id)!;
                assert.ok(session.epoch !== epoch || session.state === 'forgotten', `${where}: ${recipient.id} called unreachable while the relay keeps it`);
              }
            }
          };

          const afterPresence = () => {
            recipients = follow(recipients, presence());
          };

          for (const [step, action] of ops.entries()) {
            const where = `step ${step} (${action.kind})`;
            const others = online().filter((s) => s !== self);
            const away = [...sessions.values()].filter((s) => s.state === 'away' && s.epoch === epoch);
            switch (action.kind) {
              case 'join':
                newSession(action.person, names[action.person]!);
                afterPresence();
                break;
              case 'move':
                addrs[action.person] = action.addr;
                break;
              case 'leave':
                if (others.length === 0) continue;
                others[action.pick % others.length]!.state = 'away';
                afterPresence();
                break;
              case 'return':
                if (away.length === 0) continue;
                away[action.pick % away.length]!.state = 'online';
                afterPresence();
                break;
              case 'expire':
                if (away.length === 0) continue;
                away[action.pick % away.length]!.state = 'forgotten';
                break;
              case 'restart':
                for (const session of sessions.values()) session.state = 'forgotten';
                epoch++;
                self = newSession(-1, selfName);
                afterPresence();
                break;
              case 'rename': {
                // A name belongs to a session: the person's sessions end, and the next ones carry the new name.
                names[action.person] = action.name;
                const theirs = others.filter((s) => s.person === action.person);
                for (const session of theirs) {
                  session.state = 'away';
                  afterPresence();
                }
                if (theirs.length > 0) {
                  newSession(action.person, action.name);
                  afterPresence();
                }
                break;
              }
              case 'pick': {
                if (others.length === 0) continue;
                const session = others[action.pick % others.length]!;
                const index = recipients.findIndex((recipient) => recipient.id === session.id);
                recipients = toggle(recipients, { id: session.id, name: session.name, addr: session.addr }, presence());
                if (index >= 0) truth.splice(index, 1);
                else {
                  const lookalike = others.some((s) => s !== session && s.name === session.name && s.addr === session.addr);
                  truth.push({ person: session.person, addr: session.addr, frozen: lookalike, id: session.id });
                }
                break;
              }
              case 'unpick': {
                if (recipients.length === 0) continue;
                const index = action.pick % recipients.length;
                recipients = remove(recipients, recipients[index]!.id, presence());
                truth = truth.filter((_, i) => i !== index);
                break;
              }
              case 'reconnect': {
                if (action.restart) {
                  for (const session of sessions.values()) session.state = 'forgotten';
                  epoch++;
                  self = newSession(-1, selfName);
                } else {
                  others.forEach((session, i) => {
                    if (!(action.keep[i] ?? true)) session.state = 'away';
                  });
                }
                for (const person of action.joins) newSession(person, names[person]!);
                afterPresence();
                break;
              }
              case 'send': {
                const resolution = resolve(recipients, presence());
                if (resolution.kind !== 'private') break;
                // The relay's answer: all or nothing, naming the ids that match no session it keeps.
                const unknown = resolution.to.ids!.filter((id) => {
                  const session = sessions.get(id)!;
                  return session.epoch !== epoch || session.state === 'forgotten';
                });
                if (unknown.length === 0) break;
                recipients = refused(recipients, unknown, presence());
                const after = resolve(recipients, presence());
                assert.equal(after.kind, 'unreachable', `${where}: refused ids are not sent to again`);
                break;
              }
            }
            check(where);
          }
        },
      ),
      {
        numRuns: 1000,
        examples: [
          // Found once (seed -673316362): Ada picked, gone, Ada picked again (another session), both gone; the first
          // back, and a third Ada joins: the second recipient was found at the third beside the first's namesake,
          // and after a reconnect moved on again to a fourth, though a namesake had been seen.
          [
            ['Ada', 'Ada', 'Ada', 'Ada'],
            ['192.0.2.1', '192.0.2.1', '192.0.2.1', '192.0.2.1'],
            false,
            'Me',
            [
              { kind: 'reconnect', restart: false, keep: [], joins: [0, 0] },
              { kind: 'pick', pick: 0 },
              { kind: 'leave', pick: 0 },
              { kind: 'pick', pick: 0 },
              { kind: 'leave', pick: 0 },
              { kind: 'return', pick: 0 },
              { kind: 'join', person: 0 },
              { kind: 'reconnect', restart: false, keep: [false, false], joins: [0] },
            ],
          ],
        ],
      },
    );
  });

  it('follow() returns the same list when nothing changed (the panel re-renders only on a change)', () => {
    const presence: Presence = { roster: [{ id: 'b', name: 'Ben', addr: '' }], selfId: 'me', epoch: 'e' };
    const recipients = toggle([], presence.roster[0]!, presence);
    assert.equal(follow(recipients, presence), recipients);
  });
});
