import { html, nothing } from 'lit';
import type { ChatStrings, Locale } from '../../../i18n/strings.js';
import { reach, type Recipient } from '../recipients.js';
import type { ComposerNote } from '../composer-controller.js';
import { listNames } from '../locale.js';
import { icon } from './icons.js';
import type { PanelView } from './view.js';

/** The form at the bottom: whom the message goes to, the textbox, the send button, and what to know before sending. */
export function composerTemplate({ t, locale, quiet, protocol, composer, people, connection, rooms }: PanelView) {
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
      <div class="row">
        <label class="visually-hidden" for="input">${t.composerLabel}</label>
        <textarea
          id="input"
          part="input"
          rows="1"
          enterkeyhint="send"
          placeholder=${connection.status === 'online' ? t.composerPlaceholder : t.composerPlaceholderOffline}
          aria-describedby=${describedBy || nothing}
          .value=${composer.draft}
          @input=${composer.onInput}
          @keydown=${composer.onKeyDown}
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
