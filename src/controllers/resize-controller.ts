import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** A host that says whether it has rendered yet (a LitElement does). */
export type RenderingHost = ReactiveControllerHost & { readonly hasUpdated: boolean };

/**
 * Watches elements of the host's render with a ResizeObserver while the host
 * is in the document: from its first render on (the elements exist only
 * then), and again after it is re-attached. `targets` is asked each time, so
 * it can name elements by query.
 */
export class ResizeController implements ReactiveController {
  readonly #host: RenderingHost;
  readonly #targets: () => ReadonlyArray<Element | undefined>;
  readonly #onResize: (entry: ResizeObserverEntry) => void;
  #observer: ResizeObserver | undefined;
  #observing = false;

  constructor(host: RenderingHost, targets: () => ReadonlyArray<Element | undefined>, onResize: (entry: ResizeObserverEntry) => void) {
    this.#host = host;
    this.#targets = targets;
    this.#onResize = onResize;
    host.addController(this);
  }

  hostConnected(): void {
    // Created here rather than in the constructor: server-side rendering has no ResizeObserver.
    this.#observer ??= new ResizeObserver((entries) => entries.forEach(this.#onResize));
    if (this.#host.hasUpdated) this.#observe();
  }

  hostUpdated(): void {
    this.#observe();
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.#observing = false;
  }

  #observe(): void {
    // Observing an element again would report its size again: once per attachment.
    if (this.#observing || !this.#observer) return;
    this.#observing = true;
    for (const target of this.#targets()) if (target) this.#observer.observe(target);
  }
}
