import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatMessage } from '../../client/types.js';
import type { ChatStrings } from '../../i18n/strings.js';
import { mentionsYou } from './mentions-you.js';
import { browserNotifier, type Notifier } from './notifier.js';
import { displayName } from './people.js';

export interface NotifyOptions {
  /** The `notify` attribute is set. */
  readonly enabled: () => boolean;
  readonly selfId: () => string | undefined;
  /** Tells this panel's notifications apart from another's on the page. */
  readonly panelName: () => string;
  readonly strings: () => ChatStrings;
  /** The person clicked a notification: bring them to the conversation. */
  readonly reveal: () => void;
}

/**
 * Desktop notifications for messages meant for you (private to you, or
 * mentioning you) that arrive while the page is hidden, when the panel's
 * `notify` is set. Permission is asked only by `ask`, wired to a button the
 * person presses: never on load, never when a message arrives. The offer
 * follows the browser's answer however it changes (another panel's button,
 * the site's settings).
 */
export class NotifyController implements ReactiveController {
  /** The person was asked from this panel and did not allow it. */
  refused = false;
  #asking = false;

  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #options: NotifyOptions;
  readonly #notifier: Notifier;
  #watched: PermissionStatus | undefined;

  constructor(host: ReactiveControllerHost & HTMLElement, options: NotifyOptions, notifier: Notifier = browserNotifier) {
    this.#host = host;
    this.#options = options;
    this.#notifier = notifier;
    host.addController(this);
  }

  hostConnected(): void {
    navigator.permissions?.query({ name: 'notifications' }).then(
      (status) => {
        // Detached meanwhile: nothing to watch for.
        if (!this.#host.isConnected) return;
        this.#watched?.removeEventListener('change', this.#changed);
        this.#watched = status;
        status.addEventListener('change', this.#changed);
      },
      () => {},
    );
  }

  hostDisconnected(): void {
    this.#watched?.removeEventListener('change', this.#changed);
    this.#watched = undefined;
  }

  readonly #changed = (): void => this.#host.requestUpdate();

  /** What to show: `offer` (the button to turn them on), `refused` (why there will be none), or nothing. */
  get offer(): 'offer' | 'refused' | undefined {
    if (!this.#options.enabled()) return undefined;
    const permission = this.#notifier.permission;
    if (permission === 'default') return this.#asking ? undefined : 'offer';
    return this.refused && permission === 'denied' ? 'refused' : undefined;
  }

  /** The button was pressed: the one place permission is asked. */
  readonly ask = async (): Promise<void> => {
    this.#asking = true;
    this.#host.requestUpdate();
    const answer = await this.#notifier.request();
    this.#asking = false;
    this.refused = answer === 'denied';
    this.#host.requestUpdate();
  };

  /** A live message was added to the log: notify of it if it is meant for you and the page is hidden. */
  arrived(message: ChatMessage): void {
    if (message.own || !this.#options.enabled() || document.visibilityState !== 'hidden') return;
    const selfId = this.#options.selfId();
    const privately = message.to !== undefined;
    if (!privately && !mentionsYou(message, selfId)) return;
    const t = this.#options.strings();
    const name = displayName(message.from);
    this.#notifier.show({
      title: privately ? t.notifyPrivate(name) : t.notifyMention(name),
      body: message.text,
      // One per conversation: a private one with its sender, a room's with the room.
      tag: `ws-chat:${this.#options.panelName()}:${privately ? `private:${message.from.id}` : `room:${message.room ?? ''}`}`,
      click: this.#options.reveal,
    });
  }
}
