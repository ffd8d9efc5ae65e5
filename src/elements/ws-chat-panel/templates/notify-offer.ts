import { html, nothing } from 'lit';
import { icon } from './icons.js';
import type { PanelView } from './view.js';

/**
 * With `notify`: the button that asks the browser for permission (the only
 * way the panel asks), or, once the person declined, why none will come.
 */
export function notifyOfferTemplate({ t, notifications }: PanelView) {
  const offer = notifications.offer;
  if (!offer) return nothing;
  return html`<div class="notify-offer" part="notify-offer">
    ${offer === 'offer'
      ? html`<button class="link-button" @click=${notifications.ask}>${icon('bell')}${t.notifyOffer}</button>`
      : html`<span role="status">${t.notifyRefused}</span>`}
  </div>`;
}
