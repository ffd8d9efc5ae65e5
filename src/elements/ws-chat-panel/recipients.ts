import type { Peer, Target } from '../../client/types.js';

/**
 * Someone picked in the roster as a recipient of private messages, followed
 * across their connections.
 *
 * Who someone is, as a client can tell: the name the relay gives them. With
 * authentication it comes from their token (and the relay hides addresses);
 * without, they chose it, anyone may take it, and two people may share it,
 * so there it is the name at the address they were seen at (the relay shows
 * addresses then, unless told not to). A recipient is held by the session
 * they were picked in (its id reaches only them), and followed to a new
 * session only while that is unambiguous: when their session is not online
 * and exactly one other session with their name (and address) is, and no
 * other one has been seen since they were picked. A recipient nobody can be
 * found for stays picked: messages are never widened to everyone, nor
 * narrowed to the recipients that can be reached, without the writer's say.
 */
export interface Recipient {
  readonly name: string;
  /** Their network address when picked, or '' where the relay hides addresses: they are found again only there. */
  readonly addr: string;
  /** The session they were picked in, or found again in. */
  readonly id: string;
  /** The relay's epoch when that session was seen: a relay that starts a new epoch has forgotten every earlier session. */
  readonly epoch: string;
  /** Someone else went by the same name (and address) while this one was picked: followed by their session only. */
  readonly shared: boolean;
  /** The relay said no one matches the session any more (it expired). */
  readonly gone: boolean;
}

/**
 * `online`: in the roster. `away`: not in the roster, but the relay may still
 * keep their session, and the messages for it, until they come back.
 * `gone`: no message can reach them until they are found again.
 */
export type Reach = 'online' | 'away' | 'gone';

/** What the panel knows of who is online. */
export interface Presence {
  readonly roster: readonly Peer[];
  /** Your own session: never a recipient. */
  readonly selfId: string | undefined;
  /** The relay's current epoch. */
  readonly epoch: string;
}

/** Where a message written to `recipients` can go. */
export type Resolution =
  | { readonly kind: 'everyone' }
  | { readonly kind: 'private'; readonly to: Target }
  /** At least one recipient cannot be reached: send nothing, say who. */
  | { readonly kind: 'unreachable'; readonly who: readonly Recipient[] };

export function reach(recipient: Recipient, presence: Presence): Reach {
  if (presence.roster.some((peer) => peer.id === recipient.id)) return 'online';
  return recipient.gone || recipient.epoch !== presence.epoch ? 'gone' : 'away';
}

/** Picks `peer`, or unpicks them when they are picked already. */
export function toggle(recipients: readonly Recipient[], peer: Peer, presence: Presence): readonly Recipient[] {
  if (recipients.some((recipient) => recipient.id === peer.id)) return remove(recipients, peer.id, presence);
  const shared = lookalikes(peer, presence).some((other) => other.id !== peer.id);
  return [...recipients, { name: peer.name, addr: peer.addr, id: peer.id, epoch: presence.epoch, shared, gone: false }];
}

/** Unpicks the recipient held by session `id`: the session it held may be someone else's to be found again. */
export function remove(recipients: readonly Recipient[], id: string, presence: Presence): readonly Recipient[] {
  return follow(recipients.filter((recipient) => recipient.id !== id), presence);
}

/**
 * Brings the recipients up to date with who is online: each keeps its
 * session while that is online, or is found again by name (see Recipient).
 * Returns `recipients` itself when nothing changed.
 */
export function follow(recipients: readonly Recipient[], presence: Presence): readonly Recipient[] {
  let changed = false;
  const next = recipients.map((recipient) => {
    const updated = followOne(recipient, presence, recipients);
    if (updated !== recipient) changed = true;
    return updated;
  });
  return changed ? next : recipients;
}

function followOne(recipient: Recipient, presence: Presence, all: readonly Recipient[]): Recipient {
  const sameName = lookalikes(recipient, presence);
  if (presence.roster.some((peer) => peer.id === recipient.id)) {
    const shared = recipient.shared || sameName.some((peer) => peer.id !== recipient.id);
    return shared === recipient.shared && recipient.epoch === presence.epoch && !recipient.gone
      ? recipient
      : { ...recipient, shared, epoch: presence.epoch, gone: false };
  }
  // Sessions another recipient holds are someone else.
  const candidates = sameName.filter((peer) => !all.some((other) => other.id === peer.id));
  if (candidates.length > 1) return recipient.shared ? recipient : { ...recipient, shared: true };
  if (candidates.length === 1 && !recipient.shared) {
    const id = candidates[0]!.id;
    // Found again beside a namesake another recipient holds: that one has been seen, so from now on this one is followed by its session only.
    return { ...recipient, id, epoch: presence.epoch, gone: false, shared: sameName.some((peer) => peer.id !== id) };
  }
  return recipient;
}

/** The relay answered that no one matches `ids`: those of them not online are gone. */
export function refused(recipients: readonly Recipient[], ids: readonly string[], presence: Presence): readonly Recipient[] {
  let changed = false;
  const next = recipients.map((recipient) => {
    if (recipient.gone || !ids.includes(recipient.id) || reach(recipient, presence) === 'online') return recipient;
    changed = true;
    return { ...recipient, gone: true };
  });
  return changed ? next : recipients;
}

export function resolve(recipients: readonly Recipient[], presence: Presence): Resolution {
  if (recipients.length === 0) return { kind: 'everyone' };
  const who = recipients.filter((recipient) => reach(recipient, presence) === 'gone');
  if (who.length > 0) return { kind: 'unreachable', who };
  return { kind: 'private', to: { ids: recipients.map((recipient) => recipient.id) } };
}

/** Others online who could be `who`, as far as a client can tell: the same name, at the same address when it is shown (yourself excluded). */
function lookalikes(who: Pick<Peer, 'name' | 'addr'>, presence: Presence): Peer[] {
  return presence.roster.filter(
    (peer) => peer.name === who.name && (who.addr === '' || peer.addr === who.addr) && peer.id !== presence.selfId,
  );
}
