import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatMessage } from '../client/types.js';

/** Part of a message that must be on screen for it to count as shown. */
const SHOWN_RATIO = 0.5;
/** Keys of messages reported, remembered so they are not watched again; the oldest are forgotten beyond this. */
const REMEMBERED = 5000;

export interface ReadTrackerOptions {
  /** False: nothing is watched and nothing reported (`receipts="off"`, or the legacy format). */
  readonly enabled: () => boolean;
  /** These messages were shown to a person. */
  readonly read: (messages: ChatMessage[]) => void;
}

/**
 * Finds out which messages of others a person has actually seen: at least
 * half of the message on screen (through the log's scrolling and the page's,
 * so the page's viewport is the root) while the tab is visible. While the
 * tab is hidden what is on screen waits, and is reported when the tab shows
 * again. Templates hand it each message's element through `readWatch`.
 */
export class ReadTrackerController implements ReactiveController {
  #observer: IntersectionObserver | undefined;
  /** Elements handed over since the last update, observed once the render is in the document. */
  #waiting = new Map<Element, ChatMessage>();
  readonly #messages = new WeakMap<Element, ChatMessage>();
  /** On screen now (enough of them), not yet reported. */
  readonly #shown = new Set<Element>();
  readonly #reported = new Set<string>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: ReadTrackerOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.#flush);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.#flush);
    this.#observer?.disconnect();
    this.#observer = undefined;
    this.#shown.clear();
    this.#waiting.clear();
  }

  hostUpdated(): void {
    if (this.#waiting.size === 0) return;
    const waiting = this.#waiting;
    this.#waiting = new Map();
    if (!this.options.enabled()) return;
    this.#observer ??= new IntersectionObserver(this.#onIntersection, { threshold: [0, SHOWN_RATIO, 1] });
    for (const [element, message] of waiting) {
      this.#messages.set(element, message);
      this.#observer.observe(element);
    }
  }

  /** A message's element rendered (see readWatch): watched until shown, unless it is yours or was reported. */
  watch(element: Element, message: ChatMessage): void {
    if (message.own || message.offset === undefined || this.#reported.has(message.key) || !this.options.enabled()) return;
    this.#waiting.set(element, message);
  }

  readonly #onIntersection = (entries: IntersectionObserverEntry[]): void => {
    for (const entry of entries) {
      const visible = entry.intersectionRect.height;
      // A message taller than the screen counts once it fills half of it.
      const enough = entry.intersectionRatio >= SHOWN_RATIO || (entry.rootBounds !== null && visible >= entry.rootBounds.height * SHOWN_RATIO);
      if (entry.isIntersecting && enough) this.#shown.add(entry.target);
      else this.#shown.delete(entry.target);
    }
    this.#flush();
  };

  /** Reports what is on screen, if a person can see it now. */
  readonly #flush = (): void => {
    if (document.visibilityState !== 'visible' || this.#shown.size === 0) return;
    if (!this.options.enabled()) {
      this.#shown.clear();
      return;
    }
    const messages: ChatMessage[] = [];
    for (const element of this.#shown) {
      const message = this.#messages.get(element);
      this.#observer?.unobserve(element);
      if (!message || this.#reported.has(message.key)) continue;
      messages.push(message);
      this.#reported.add(message.key);
      if (this.#reported.size > REMEMBERED) this.#reported.delete(this.#reported.values().next().value!);
    }
    this.#shown.clear();
    if (messages.length) this.options.read(messages);
  };
}
