import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { charactersOver, measure } from '../../client/outgoing.js';
import { randomId } from '../../client/persistence.js';
import type { TypingTarget } from '../../client/typing-sender.js';
import type { ChatMessage, ChatProtocol, Peer, Target } from '../../client/types.js';
import { follow, reach, refused, remove, resolve, toggle, type Presence, type Recipient, type Resolution } from './recipients.js';

/** The composer shows how long the message is from this share of the relay's limit on. */
const LENGTH_SHOWN_FROM = 0.8;

/** The frame a draft would be sent in, against the relay's limit (remembered for the last draft). */
interface FrameSize {
  readonly text: string;
  readonly to: string;
  readonly limit: number;
  readonly bytes: number;
  /** Characters to remove from the end to fit, once asked. */
  cut?: number;
}

/** Why the draft cannot go now (`blocked`), or what to know before sending it. */
export type ComposerNote =
  | { readonly blocked: true; readonly kind: 'unreachable'; readonly who: readonly Recipient[] }
  | { readonly blocked: true; readonly kind: 'too-long'; readonly cut: number }
  | { readonly blocked: false; readonly kind: 'away'; readonly who: readonly Recipient[] }
  | { readonly blocked: false; readonly kind: 'length'; readonly percent: number };

export interface ComposerOptions {
  readonly protocol: () => ChatProtocol;
  readonly presence: Presence;
  /** The relay's limit on a frame, once it is known. */
  readonly frameLimit: () => number | undefined;
  readonly textbox: () => HTMLTextAreaElement;
  /** Says the user is typing (or, `active` false, stopped) to a room (undefined: the first) or to peers (v1). */
  readonly typing: (target: TypingTarget, active: boolean) => void;
  /** Sends the draft (to everyone in `room` unless `to`); returns undefined when it was refused. */
  readonly send: (text: string, to: Target | undefined, room: string | undefined) => ChatMessage | undefined;
  /** A key the textbox got that something over it (the mention list) took; the composer then leaves it. */
  readonly keyTaken?: (event: KeyboardEvent) => boolean;
  /** The draft changed in the textbox (typed, pasted, or a mention picked). */
  readonly typed?: () => void;
}

/**
 * The composer: the draft, whom it goes to (the recipients picked in the
 * roster, or in legacy mode the addresses typed), and whether it can go. A
 * message is never widened to everyone, narrowed to the recipients who can
 * be reached, or cut to the relay's limit: the writer is told why it cannot
 * go, and the draft stays.
 */
export class ComposerController implements ReactiveController {
  draft = '';
  /** Legacy mode: the addresses typed, as typed. */
  addresses = '';
  recipients: readonly Recipient[] = [];
  /** With several rooms: the one a message to everyone goes to (undefined: the first). */
  room: string | undefined;
  /** Enter was pressed while the message could not go: the reason is announced until it no longer holds. */
  blockedAttempt = false;
  #lastSize: FrameSize | undefined;
  /** Where the user was last said to be typing (undefined: nowhere), to say stop there when the draft goes or moves. */
  #typingTo: { readonly key: string; readonly target: TypingTarget } | undefined;

  readonly #host: ReactiveControllerHost;
  readonly #options: ComposerOptions;

  constructor(host: ReactiveControllerHost, options: ComposerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  hostUpdate(): void {
    // The reason Enter was refused for is gone: a later one is shown, not announced, until Enter is pressed again.
    if (this.blockedAttempt && !this.note()?.blocked) this.blockedAttempt = false;
  }

  note(): ComposerNote | undefined {
    const target = this.#target();
    if (target.kind === 'unreachable') return { blocked: true, kind: 'unreachable', who: target.who };
    const size = this.#frameSize(this.draft, target);
    if (size && size.bytes > size.limit) {
      size.cut ??= charactersOver(this.draft, size.bytes - size.limit);
      return { blocked: true, kind: 'too-long', cut: size.cut };
    }
    const { presence } = this.#options;
    const away = this.#options.protocol() === 'v1' ? this.recipients.filter((recipient) => reach(recipient, presence) === 'away') : [];
    if (away.length > 0) return { blocked: false, kind: 'away', who: away };
    if (size && size.bytes >= size.limit * LENGTH_SHOWN_FROM) return { blocked: false, kind: 'length', percent: Math.floor((size.bytes * 100) / size.limit) };
    return undefined;
  }

  readonly onInput = (event: Event): void => {
    this.draft = (event.target as HTMLTextAreaElement).value;
    this.blockedAttempt = false;
    this.#sayTyping();
    this.#options.typed?.();
    this.#host.requestUpdate();
  };

  readonly onRoomChange = (event: Event): void => {
    this.room = (event.target as HTMLSelectElement).value;
    this.#sayTyping();
  };

  readonly onAddressesInput = (event: Event): void => {
    this.addresses = (event.target as HTMLInputElement).value;
    this.#host.requestUpdate();
  };

  readonly onKeyDown = (event: KeyboardEvent): void => {
    if (this.#options.keyTaken?.(event)) return;
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition (Chinese input) does neither.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    this.#submit();
  };

  readonly onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    this.#submit();
  };

  /** Picks `peer` as a recipient, or unpicks them. */
  toggle(peer: Peer): void {
    this.#setRecipients(toggle(this.recipients, peer, this.#options.presence));
  }

  remove(recipient: Recipient): void {
    this.#setRecipients(remove(this.recipients, recipient.id, this.#options.presence));
  }

  /** Who is online changed: recipients who left stay picked, and are found again when they are back. */
  follow(): void {
    this.#setRecipients(follow(this.recipients, this.#options.presence));
  }

  /** The relay said no one matches the sessions `ids`: a recipient among them cannot be reached until found again. */
  refused(ids: readonly string[]): void {
    this.#setRecipients(refused(this.recipients, ids, this.#options.presence));
  }

  #submit(): void {
    const textbox = this.#options.textbox();
    const text = textbox.value;
    if (text.trim() === '') return;
    const target = this.#target();
    const size = this.#frameSize(text, target);
    if (target.kind === 'unreachable' || (size && size.bytes > size.limit)) {
      this.blockedAttempt = true;
      this.#host.requestUpdate();
      return;
    }
    if (!this.#options.send(text, target.kind === 'private' ? target.to : undefined, this.room)) return;
    this.blockedAttempt = false;
    textbox.value = '';
    this.draft = '';
    this.#sayTyping();
    this.#host.requestUpdate();
  }

  /** Where the message goes: everyone, the recipients picked, or nowhere while one cannot be reached. */
  #target(): Resolution {
    if (this.#options.protocol() === 'legacy') {
      const addrs = this.addresses
        .split(/[\s,，;；]+/)
        .map((addr) => addr.trim())
        .filter(Boolean);
      return addrs.length ? { kind: 'private', to: { addrs } } : { kind: 'everyone' };
    }
    return resolve(this.recipients, this.#options.presence);
  }

  /**
   * The size of the frame the client would send `text` in, and the relay's
   * limit; undefined while the limit is not known (before the first
   * welcome). Remembered for the last draft: it is asked on every render.
   */
  #frameSize(text: string, target: Resolution): FrameSize | undefined {
    const limit = this.#options.protocol() === 'v1' ? this.#options.frameLimit() : undefined;
    if (limit === undefined || text.trim() === '' || target.kind === 'unreachable') return undefined;
    const to = target.kind === 'private' ? target.to : undefined;
    const toKey = JSON.stringify(to ?? null);
    const cached = this.#lastSize;
    if (cached?.text !== text || cached.to !== toKey || cached.limit !== limit) {
      const measured = measure({ id: randomId(), ...(to ? { to } : {}), data: text });
      this.#lastSize = { text, to: toKey, limit, bytes: measured.ok ? measured.bytes : Infinity };
    }
    return this.#lastSize;
  }

  #setRecipients(next: readonly Recipient[]): void {
    if (next === this.recipients) return;
    this.recipients = next;
    this.#sayTyping();
    this.#host.requestUpdate();
  }

  /**
   * Tells the conversation the draft is for that the user is typing (the
   * client spaces it out), and the one it was for before, if another, that
   * they stopped; with an empty draft, only that they stopped.
   */
  #sayTyping(): void {
    if (this.#options.protocol() !== 'v1') return;
    const target: TypingTarget | undefined =
      this.draft.trim() === '' ? undefined : this.recipients.length ? { to: this.recipients.map((recipient) => recipient.id) } : { room: this.room };
    const key = target && (target.to ? `@${target.to.join()}` : `#${target.room ?? ''}`);
    if (this.#typingTo && this.#typingTo.key !== key) this.#options.typing(this.#typingTo.target, false);
    this.#typingTo = target && key !== undefined ? { key, target } : undefined;
    if (target) this.#options.typing(target, true);
  }
}
