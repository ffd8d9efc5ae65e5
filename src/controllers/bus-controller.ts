import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Handler } from 'mitt';
import { getDefaultMessageCenter } from '../bus/default-message-center.js';
import type { MessageCenterEvents } from '../index.js';
import type { MessageCenter, Unsubscribe } from '../bus/message-center.js';
import { ensureContextRoot, messageCenterContext } from '../context/message-center-context.js';

export interface BusControllerOptions {
  /** Called after the bus changed (a provider appeared, or replaced its bus). */
  onBusChange?: (bus: MessageCenter, previous: MessageCenter | undefined) => void;
}

interface Subscription {
  /** Subscribes the handler to `bus`, returning its unsubscribe function. */
  readonly attach: (bus: MessageCenter) => Unsubscribe;
  off?: Unsubscribe;
}

/**
 * Gives an element the bus of its nearest `<message-center-provider>`, or the
 * page-wide default bus when there is none, and owns the element's
 * subscriptions: they are made on connect, moved when the bus changes, and
 * removed on disconnect. Only this controller's own handlers are ever
 * removed; other subscribers of the same bus are untouched.
 */
export class BusController implements ReactiveController {
  private readonly consumer: ContextConsumer<typeof messageCenterContext, ReactiveControllerHost & HTMLElement>;
  private readonly subscriptions = new Set<Subscription>();
  private current: MessageCenter | undefined;
  /** The bus a provider gave us during this connection, if any. */
  private provided: MessageCenter | undefined;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: BusControllerOptions = {},
  ) {
    // The consumer registers itself as a controller first, so its request is
    // answered before this controller's hostConnected looks for a value.
    ensureContextRoot(host.ownerDocument);
    this.consumer = new ContextConsumer(host, {
      context: messageCenterContext,
      subscribe: true,
      callback: (bus) => {
        this.provided = bus;
        if (this.connected) this.use(bus);
      },
    });
    host.addController(this);
  }

  /** The bus this element talks to right now. */
  get bus(): MessageCenter {
    return this.current ?? this.provided ?? getDefaultMessageCenter();
  }

  hostConnected(): void {
    // The consumer has just dispatched its request; an enclosing provider has
    // answered it synchronously. If none did, fall back to the page-wide bus:
    // should a provider upgrade later, the context root replays the request
    // and the callback moves this element over.
    this.connected = true;
    this.use(this.provided ?? getDefaultMessageCenter(), true);
  }

  hostDisconnected(): void {
    this.connected = false;
    this.provided = undefined;
    for (const subscription of this.subscriptions) {
      subscription.off?.();
      subscription.off = undefined;
    }
  }

  /**
   * Subscribes while the host is connected, on whichever bus is current.
   * The returned function removes this subscription for good.
   */
  on<K extends keyof MessageCenterEvents>(type: K, handler: Handler<MessageCenterEvents[K]>): Unsubscribe {
    const subscription: Subscription = { attach: (bus) => bus.on(type, handler) };
    this.subscriptions.add(subscription);
    if (this.connected && this.current) subscription.off = subscription.attach(this.current);
    return () => {
      subscription.off?.();
      this.subscriptions.delete(subscription);
    };
  }

  emit<K extends keyof MessageCenterEvents>(type: K, payload: MessageCenterEvents[K]): void {
    this.bus.emit(type, payload);
  }

  private use(bus: MessageCenter, resubscribe = false): void {
    const previous = this.current;
    if (bus === previous && !resubscribe) return;
    this.current = bus;
    for (const subscription of this.subscriptions) {
      subscription.off?.();
      subscription.off = subscription.attach(bus);
    }
    if (bus !== previous) this.options.onBusChange?.(bus, previous);
  }
}
