import { html, nothing } from 'lit';
import type { ChatStrings, Locale } from '../../../i18n/strings.js';
import { reach, type Recipient } from '../recipients.js';
import type { ComposerNote } from '../composer-controller.js';
import { listNames } from '../locale.js';
import { avatarColor, initials } from '../avatar.js';
import type { MentionPicker } from '../mention-picker.js';
import type { People } from '../people.js';
import { icon } from './icons.js';
import type { PanelView } from './view.js';

/** The form at the bottom: whom the message goes to, the textbox, the send button, and what to know before sending. */
export function composerTemplate({ t, locale, quiet, protocol, composer, people, connection, rooms, mention }: PanelView) {
  const note = composer.note();
  const blocked = note?.blocked ?? false;
  const noteText = note && describe(note, t, locale);
  // An alert becomes one once the panel's language shows: said in English, it would be said again in that language.
  const alert = quiet ? nothing : 'alert';
  const describedBy = [connection.error ? 'composer-error' : '', note ? 'composer-note' : ''].filter(Boolean).join(' ');
  return html`
    <form part="composer" @submit=${composer.onSubmit}>
      <div class="targets" part="targets" role="group" aria-label=${t.recipients}>
        ${protocol === 'legacy'
          ? html`<label for="addresses">${t.targetAddresses}</label>
              <input
                id="addresses"
                class="addresses"
                inputmode="decimal"
                autocomplete="off"
                placeholder=${t.targetAddressesHint}
                .value=${composer.addresses}
                @input=${composer.onAddressesInput}
              />`
          : composer.recipients.length === 0
            ? html`<span class="chip"><span class="chip-label">${t.toEveryone}</span></span>${rooms.length > 1
                  ? html`<select class="room-pick" aria-label=${t.room} @change=${composer.onRoomChange}>
                      ${rooms.map((room) => html`<option ?selected=${room === composer.room}>${room}</option>`)}
                    </select>`
                  : nothing}`
            : composer.recipients.map((recipient) => {
                const name = recipient.name || recipient.id;
                const state = reach(recipient, people);
                return html`<span class="chip private" data-state=${state}>
                  ${icon('lock')}<span class="chip-label" dir="auto">${name}</span>
                  ${state === 'online' ? nothing : html`<span class="chip-state">${t.recipientOffline}</span>`}
                  <button type="button" aria-label=${t.removeRecipient(name)} @click=${() => composer.remove(recipient)}>
                    ${icon('close')}
                  </button>
                </span>`;
              })}
      </div>
      ${mention.open ? mentionListTemplate(t, mention, people) : nothing}
      <div class="row">
        <label class="visually-hidden" for="input">${t.composerLabel}</label>
        <textarea
          id="input"
          part="input"
          rows="1"
          enterkeyhint="send"
          placeholder=${connection.status === 'online' ? t.composerPlaceholder : t.composerPlaceholderOffline}
          aria-describedby=${describedBy || nothing}
          aria-autocomplete=${protocol === 'v1' ? 'list' : nothing}
          aria-controls=${mention.open ? 'mention-list' : nothing}
          aria-activedescendant=${mention.open ? `mention-${mention.active}` : nothing}
          .value=${composer.draft}
          @input=${composer.onInput}
          @keydown=${composer.onKeyDown}
          @keyup=${mention.onCaret}
          @click=${mention.onCaret}
          @blur=${mention.onBlur}
        ></textarea>
        <button
          class="send"
          part="send-button"
          type="submit"
          ?disabled=${blocked || composer.draft.trim() === ''}
          aria-describedby=${blocked ? 'composer-note' : nothing}
        >
          ${icon('send')}<span>${t.send}</span>
        </button>
      </div>
      ${note
        ? blocked && composer.blockedAttempt
          ? html`<p class="error" id="composer-note" part="note" role=${alert}>${noteText}</p>`
          : html`<p class="note" id="composer-note" part="note" data-blocked=${blocked ? 'true' : 'false'}>${noteText}</p>`
        : nothing}
      ${connection.error ? html`<p class="error" id="composer-error" role=${alert}>${connection.error(t)}</p>` : nothing}
    </form>
  `;
}

/**
 * The people `@` offers, just above the textbox; the textbox keeps focus
 * (aria-activedescendant). In the composer's flow, not over the log: the log
 * gives it room, and nothing is hidden under it.
 */
function mentionListTemplate(t: ChatStrings, mention: MentionPicker, people: People) {
  return html`<ul id="mention-list" class="mentions" part="mentions" role="listbox" aria-label=${t.mentionPeople}>
    ${mention.options.map(
      (peer, index) =>
        html`<li
          id="mention-${index}"
          class="mention-option"
          role="option"
          aria-selected=${index === mention.active ? 'true' : 'false'}
          @mousedown=${keepFocus}
          @click=${() => mention.pick(peer)}
        >
          <span class="avatar" aria-hidden="true" style="background:${avatarColor(peer.name)}">${initials(peer.name)}</span>
          <span class="mention-name" dir="auto">${peer.name}</span>
          ${peer.addr && people.sharesName(peer) ? html`<span class="addr">${peer.addr}</span>` : nothing}
        </li>`,
    )}
  </ul>`;
}

/** A press on an option leaves focus in the textbox, where the writer goes on. */
const keepFocus = (event: Event) => event.preventDefault();

function describe(note: ComposerNote, t: ChatStrings, locale: Locale): string {
  const names = (who: readonly Recipient[]) => listNames(who.map((recipient) => recipient.name || recipient.id), locale);
  switch (note.kind) {
    case 'unreachable':
      return t.recipientsUnreachable(names(note.who));
    case 'too-long':
      return t.tooLong(note.cut);
    case 'away':
      return t.recipientsAway(names(note.who));
    case 'length':
      return t.lengthUsed(note.percent);
  }
}
