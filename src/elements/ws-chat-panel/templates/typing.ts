import { html, nothing } from 'lit';
import { typingText } from '../typing-indicator.js';
import type { PanelView } from './view.js';

/**
 * Who else is typing, above the composer. The live region is always there
 * (one added with its text is not announced) and its text changes only when
 * who types changes, so it speaks once per change, not per keystroke.
 */
export function typingTemplate({ t, locale, quiet, typists }: PanelView) {
  const text = typingText(typists, t, locale);
  return html`<div class="typing" part="typing" ?data-active=${text !== ''}>
    ${text ? html`<span class="typing-dots" aria-hidden="true"><span></span><span></span><span></span></span>` : nothing}
    <span class="typing-text" role="status" aria-live=${quiet ? 'off' : 'polite'} aria-atomic="true">${text}</span>
  </div>`;
}
