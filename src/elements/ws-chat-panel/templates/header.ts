import { html, nothing } from 'lit';
import { icon } from './icons.js';
import type { PanelView } from './view.js';

/** The top bar: the title and the unread count, the connection's status, and who is online (a button that shows the roster, in v1). */
export function headerTemplate(view: PanelView) {
  const { t, people, rosterShown, unread } = view;
  return html`<div class="header" part="header">
        <h2 class="title" part="title"><slot name="title" @slotchange=${view.titleChanged}>${t.title}</slot></h2>
        ${unread.count > 0
          ? // Not a live region: a busy room would announce every message twice.
            html`<span class="unread" part="unread"><span aria-hidden="true">${unread.count}</span><span class="visually-hidden">${t.unreadCount(unread.count)}</span></span>`
          : nothing}
        ${statusTemplate(view)}
        <span class="spacer"></span>
        ${view.protocol === 'v1'
          ? html`<button
              class="roster-toggle"
              part="count"
              aria-expanded=${rosterShown ? 'true' : 'false'}
              aria-controls="roster"
              title=${t.showRoster}
              @click=${view.toggleRoster}
            >
              ${icon('people')}<span>${t.onlineCount(people.count)}</span>
            </button>`
          : html`<span class="count" part="count">${t.onlineCount(people.count)}</span>`}
      </div>`;
}

function statusTemplate({ t, quiet, connection, reconnect }: PanelView) {
  const { status, retryAt } = connection;
  const seconds = retryAt !== undefined ? Math.max(0, Math.ceil((retryAt - Date.now()) / 1000)) : 0;
  const label =
    status === 'online'
      ? t.statusOnline
      : status === 'connecting'
        ? t.statusConnecting
        : status === 'reconnecting'
          ? t.statusReconnecting(seconds)
          : t.statusOffline;
  // The live region announces changes of state, not every tick of the countdown.
  const announced = quiet ? '' : status === 'reconnecting' ? t.statusReconnecting(0) : label;
  return html`
    <span class="status" part="status" data-status=${status}>
      <span class="dot" aria-hidden="true"></span>
      <span aria-hidden="true">${label}</span>
      <span class="visually-hidden" role="status">${announced}</span>
      ${status === 'reconnecting' || status === 'offline'
        ? html`<button class="link-button" @click=${reconnect}>${t.reconnectNow}</button>`
        : nothing}
    </span>
  `;
}
