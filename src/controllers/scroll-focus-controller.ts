import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Makes an element that scrolls reachable with the keyboard (WCAG 2.1.1): a
 * message taller than its bubble scrolls inside it, and only an element that
 * can take focus scrolls with the arrow keys. Each element of the host's
 * render that matches `selector` becomes a Tab stop exactly while its
 * content overflows, so short messages do not each add a Tab stop to the log.
 *
 * A ResizeObserver tells when to look: its callback runs after layout, so
 * reading the sizes forces none.
 */
export class ScrollFocusController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #selector: string;
  #observer: ResizeObserver | undefined;
  readonly #watched = new Set<Element>();

  constructor(host: ReactiveControllerHost & HTMLElement, selector: string) {
    this.#host = host;
    this.#selector = selector;
    host.addController(this);
  }

  hostConnected(): void {
    // Created here rather than in the constructor: server-side rendering has no ResizeObserver.
    this.#observer ??= new ResizeObserver((entries) => this.#update(entries.map((entry) => entry.target)));
    for (const element of this.#watched) {
      if (element.isConnected) this.#observer.observe(element);
      else this.#watched.delete(element);
    }
  }

  hostUpdated(): void {
    // The render may have added some: each is watched from its first render on.
    for (const element of this.#host.shadowRoot?.querySelectorAll(this.#selector) ?? []) {
      if (this.#watched.has(element)) continue;
      this.#watched.add(element);
      this.#observer?.observe(element);
    }
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
  }

  #update(elements: Element[]): void {
    // All reads before any write, so a changed attribute forces no layout between reads.
    const overflowing = elements.map((element) => element.isConnected && element.scrollHeight > element.clientHeight);
    elements.forEach((element, index) => {
      if (!element.isConnected) {
        // Gone from the page (trimmed from the history, or cleared): observed no longer.
        this.#observer?.unobserve(element);
        this.#watched.delete(element);
      } else if (overflowing[index]) {
        element.setAttribute('tabindex', '0');
      } else {
        element.removeAttribute('tabindex');
      }
    });
  }
}
