import { html, nothing } from 'lit';
// In the order the panel shows them, top to bottom.
import { headerTemplate } from './header.js';
import { logTemplate } from './log.js';
import { icon } from './icons.js';
import { notifyOfferTemplate } from './notify-offer.js';
import { rosterTemplate } from './roster.js';
import { composerTemplate } from './composer.js';
import type { PanelView } from './view.js';

/**
 * The whole panel: the header, and the offer of notifications under it; the
 * log, with "N new messages" over it and the roster beside it; the composer.
 */
export function panelTemplate(view: PanelView) {
  const { t, scroll, unread } = view;
  return html`<div class="panel"><div class="layout">
      ${headerTemplate(view)}
      ${notifyOfferTemplate(view)}
      <div class="body">
        ${logTemplate(view)}
        ${unread.count > 0 && !scroll.atLatest
          ? html`<button class="new-pill" part="new-pill" @click=${view.jumpToLatest}>${icon('down')}${t.newMessages(unread.count)}</button>`
          : nothing}
        ${view.protocol === 'v1' ? rosterTemplate(view) : nothing}
      </div>
      ${composerTemplate(view)}
    </div></div>`;
}
