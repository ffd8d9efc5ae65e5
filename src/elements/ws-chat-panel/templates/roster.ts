import { html, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { avatarColor, initials } from '../avatar.js';
import type { Peer } from '../../../client/types.js';
import { displayName } from '../people.js';
import { icon } from './icons.js';
import type { PanelView } from './view.js';

/**
 * Rosters sorted, by the roster (a new array whenever it changes) and the
 * language and your session they were sorted for: a busy room renders every
 * frame, and sorting a thousand names each time took most of a frame.
 */
const sortedRosters = new WeakMap<readonly Peer[], { readonly by: string; readonly sorted: readonly Peer[] }>();

function sortedRoster(roster: readonly Peer[], locale: string, selfId: string | undefined): readonly Peer[] {
  const by = `${locale}\u0000${selfId}`;
  const cached = sortedRosters.get(roster);
  if (cached?.by === by) return cached.sorted;
  const { compare } = new Intl.Collator(locale);
  const sorted = [...roster].sort((a, b) => (a.id === selfId ? -1 : b.id === selfId ? 1 : compare(displayName(a), displayName(b))));
  sortedRosters.set(roster, { by, sorted });
  return sorted;
}

/** Who is online, yourself first: each of the others is a button that picks them as a recipient. */
export function rosterTemplate({ t, locale, people, composer, rosterShown, title, userName, search }: PanelView) {
  const selfId = people.selfId;
  // A large room: its most recently active, or those a search found.
  const partial = people.partial;
  const shown = partial && people.query ? people.found : people.online;
  const sorted = sortedRoster(shown, locale, selfId);
  return html`
    <aside id="roster" part="roster" ?hidden=${!rosterShown} aria-label=${t.rosterLabel(title, people.self?.name || userName)}>
      <h3 class="roster-heading" id="roster-heading">${partial ? t.onlineCount(people.count) : html`${t.rosterHeading} · ${people.count}`}</h3>
      ${partial ? html`<input class="search" type="search" aria-label=${t.searchPeople} placeholder=${t.searchPeople} @input=${search} />` : nothing}
      <ul class="roster">
        ${repeat(
          sorted,
          (peer) => peer.id,
          (peer) => {
            const mine = peer.id === selfId;
            const selected = composer.recipients.some((recipient) => recipient.id === peer.id);
            const name = displayName(peer);
            const shares = people.sharesName(peer);
            // Each entry renders again only when something it shows changed: a big room's roster changes every frame.
            return guard([peer, mine, selected, shares, t], () => html`<li>
              <button
                class="peer"
                part="peer"
                ?disabled=${mine}
                aria-pressed=${mine ? nothing : selected ? 'true' : 'false'}
                title=${mine ? nothing : t.sendPrivatelyTo(name)}
                @click=${() => composer.toggle(peer)}
              >
                <span class="avatar" aria-hidden="true" style="background:${avatarColor(name)}">${initials(name)}</span>
                <span class="peer-text">
                  <span class="peer-name" dir="auto">${name}${mine ? html` <small>(${t.you})</small>` : nothing}</span>
                  ${shares ? html`<span class="peer-addr">${peer.addr}</span>` : nothing}
                </span>
                ${mine ? nothing : html`<span class="check" aria-hidden="true">${selected ? icon('check') : nothing}</span>`}
              </button>
            </li>`);
          },
        )}
        ${shown.length || !people.query ? nothing : html`<li class="none">${t.noOneFound}</li>`}
      </ul>
    </aside>
  `;
}
