import { ContextProvider } from '@lit/context';
import { css, html, LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { createMessageCenter, type MessageCenter } from '../../bus/message-center.js';
import { messageCenterContext } from '../../context/message-center-context.js';

/**
 * Owns a message bus and hands it to every descendant element through
 * context. Nested providers scope: each serves its own subtree.
 *
 * @summary Shares one typed message bus with the elements inside it.
 *
 * @slot - The elements (and any markup) that should share this bus.
 */
export class MessageCenterProvider extends LitElement {
  static override styles = css`
    :host {
      display: contents;
    }
  `;

  // Created in the constructor, not on connect, so that descendants that
  // upgrade first and ask straight away are answered.
  private readonly provider = new ContextProvider(this, {
    context: messageCenterContext,
    initialValue: createMessageCenter(),
  });

  /**
   * The bus shared with descendants. A fresh one is created per provider;
   * assign your application's own bus to share it with the elements.
   * Replacing it moves every subscribed descendant to the new bus.
   */
  @property({ attribute: false })
  get bus(): MessageCenter {
    return this.provider.value;
  }
  set bus(bus: MessageCenter) {
    if (!isMessageCenter(bus)) {
      throw new TypeError('<message-center-provider>.bus must be a message center (from createMessageCenter())');
    }
    const previous = this.provider.value;
    if (bus === previous) return;
    this.provider.setValue(bus);
    this.requestUpdate('bus', previous);
  }

  override render() {
    return html`<slot></slot>`;
  }
}

function isMessageCenter(value: unknown): value is MessageCenter {
  const candidate = value as Partial<MessageCenter> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.on === 'function' &&
    typeof candidate.off === 'function' &&
    typeof candidate.emit === 'function'
  );
}

declare global {
  interface HTMLElementTagNameMap {
    'message-center-provider': MessageCenterProvider;
  }
}
