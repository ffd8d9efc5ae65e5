import { html, LitElement } from 'lit';
import { BusController } from '../../src/controllers/bus-controller.js';
import type { MessageCenter } from '../../src/bus/message-center.js';

declare module '../../src/index.js' {
  interface MessageCenterEvents {
    'test:note': string;
  }
}

/** A minimal element that consumes the bus the way the package's widgets do. */
export class TestBusConsumer extends LitElement {
  readonly busController = new BusController(this, {
    onBusChange: (bus) => this.busChanges.push(bus),
  });
  readonly notes: string[] = [];
  readonly busChanges: MessageCenter[] = [];

  constructor() {
    super();
    this.busController.on('test:note', (note) => this.notes.push(note));
  }

  get bus(): MessageCenter {
    return this.busController.bus;
  }

  override render() {
    return html`${this.notes.length}`;
  }
}

if (!customElements.get('test-bus-consumer')) customElements.define('test-bus-consumer', TestBusConsumer);

declare global {
  interface HTMLElementTagNameMap {
    'test-bus-consumer': TestBusConsumer;
  }
}
