import { html, nothing } from 'lit';
// In the order the panel shows them, top to bottom.
import { headerTemplate } from './header.js';
import { logTemplate } from './log.js';
import { icon } from './icons.js';
import { rosterTemplate } from './roster.js';
import { typingTemplate } from './typing.js';
import { composerTemplate } from './composer.js';
import type { PanelView } from './view.js';

/** The whole panel: the header; the log, with "N new messages" over it and the roster beside it; who is typing; the composer. */
export function panelTemplate(view: PanelView) {
  const { t, scroll } = view;
  return html`<div class="panel"><div class="layout">
      ${headerTemplate(view)}
      <div class="body">
        ${logTemplate(view)}
        ${scroll.unseen > 0
          ? html`<button class="new-pill" part="new-pill" @click=${scroll.jumpToLatest}>${icon('down')}${t.newMessages(scroll.unseen)}</button>`
          : nothing}
        ${view.protocol === 'v1' ? rosterTemplate(view) : nothing}
      </div>
      ${view.protocol === 'v1' ? typingTemplate(view) : nothing}
      ${composerTemplate(view)}
    </div></div>`;
}
