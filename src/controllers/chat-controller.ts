import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Unsubscribe } from '../bus/message-center.js';
import { ChatClient, type ChatClientEvents, type ChatClientOptions } from '../client/chat-client.js';
import { prepare } from '../client/outgoing.js';
import type { ClientStore } from '../client/persistence.js';
import { SharedChatClient } from '../client/shared-client.js';
import type { ChatMessage, SendOptions, Target } from '../client/types.js';

/** A panel's connection: its own, or one shared with the site's other tabs. */
export type ChatConnection = ChatClient | SharedChatClient;

/** ChatClient's options; `shared`: a SharedChatClient (see `canShare`). */
export type ConnectionOptions = ChatClientOptions & { readonly shared?: boolean };

export type ChatHandlers = { [K in keyof ChatClientEvents]?: (detail: ChatClientEvents[K]) => void };

/**
 * Owns the element's ChatClient: opens it while the element is connected,
 * closes it when the element is detached (re-attaching opens it again), and
 * replaces it when the configuration changes. Messages still pending carry
 * over to the next client, so nothing typed is lost on the way.
 */
export class ChatController implements ReactiveController {
  client: ChatConnection | undefined;
  /** The client's store, released with it so the next client (of this or another panel) may claim it. */
  private store: ClientStore | undefined;
  private connected = false;
  private configKey: unknown[] = [];
  private carried: ChatMessage[] = [];
  private unsubscribers: Unsubscribe[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly handlers: ChatHandlers,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.checkLink);
      window.addEventListener('pagehide', this.persist);
      document.addEventListener('visibilitychange', this.checkLink);
    }
    // Start on the next update, once the properties set along with the
    // insertion (by frameworks, after appending) have arrived.
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.connected = false;
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.checkLink);
      window.removeEventListener('pagehide', this.persist);
      document.removeEventListener('visibilitychange', this.checkLink);
    }
    this.stop();
  }

  /** The page is going away (reload, navigation): keep where the client got to, to resume from there. */
  private readonly persist = (): void => {
    this.client?.persist();
  };

  /** The network came back or the page became visible: a link that slept may be dead. */
  private readonly checkLink = (): void => {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    this.client?.checkLink();
  };

  /**
   * Brings the client in line with the host: `key` lists what, when changed,
   * needs a new connection; `options` is called only then. Call it from
   * willUpdate.
   */
  sync(key: unknown[], options: () => ConnectionOptions | undefined): void {
    if (!this.connected) return;
    const same = key.length === this.configKey.length && key.every((value, i) => Object.is(value, this.configKey[i]));
    if (this.client && same) return;
    this.stop(true);
    this.configKey = key;
    const resolved = options();
    if (!resolved) return;
    const client = resolved.shared ? new SharedChatClient(resolved) : new ChatClient(resolved);
    this.client = client;
    this.store = resolved.store;
    for (const type of Object.keys(this.handlers) as Array<keyof ChatClientEvents>) {
      const handler = this.handlers[type] as (detail: unknown) => void;
      this.unsubscribers.push(client.on(type, handler));
    }
    client.adopt(this.carried);
    this.carried = [];
    client.connect();
  }

  /**
   * Sends through the client. Before there is one (the host was attached in
   * this task and has not had its first update), the message waits with
   * those carried over, shown as pending, and the client takes it when it is
   * made, so a message sent right after the element is attached is not lost.
   */
  send(data: unknown, to: Target | undefined, name: string, room?: string, options?: SendOptions): ChatMessage | undefined {
    if (this.client) return this.client.send(data, to, room, options);
    const prepared = prepare(data, to, { id: '', name, addr: '' }, undefined, room, options);
    if ('error' in prepared) {
      this.handlers.error?.(prepared.error);
      return undefined;
    }
    this.carried.push(prepared.message);
    this.handlers.update?.(prepared.message);
    return prepared.message;
  }

  /** Closes the client; `moving`: for another one, made at once. */
  private stop(moving = false): void {
    // Close first, so the host still hears the client go offline.
    const client = this.client;
    if (client) {
      this.carried = client instanceof SharedChatClient ? [] : client.pending;
      client.close();
      this.client = undefined;
    }
    // A shared connection's messages go with the panel to its next connection only when no other tab uses
    // the old one (else that tab sends them); a panel leaving the page leaves them in the old one's outbox.
    if (client instanceof SharedChatClient && moving) {
      void client.handOver().then((messages) => {
        if (this.client) this.client.adopt(messages);
        else this.carried.push(...messages);
      });
    }
    this.store?.release?.();
    this.store = undefined;
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
  }
}
