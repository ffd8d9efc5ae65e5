import type { ReactiveController, ReactiveControllerHost } from 'lit';

type Host = ReactiveControllerHost & { readonly renderRoot: HTMLElement | DocumentFragment };

export interface RosterDisclosureOptions {
  /** Whether there is a roster at all (v1). */
  readonly enabled: () => boolean;
  /** Whether the panel is narrow: the roster then folds away and opens over the log. */
  readonly narrow: () => boolean;
  /** An element of the host's render. */
  readonly part: (selector: string) => HTMLElement | null;
}

/**
 * Whether the roster is shown: beside the log unless the panel is narrow, or
 * as the reader asked with its button. Laid over a narrow panel it covers the
 * conversation, so it gets out of the way when the reader goes to the
 * textbox, and on Escape (focus back to its button).
 */
export class RosterDisclosureController implements ReactiveController {
  /** The reader opened (true) or closed (false) the roster; undefined: as the panel's width has it. */
  #open: boolean | undefined;
  #listening = false;
  readonly #host: Host;
  readonly #options: RosterDisclosureOptions;

  constructor(host: Host, options: RosterDisclosureOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  get shown(): boolean {
    return this.#options.enabled() && (this.#open ?? !this.#options.narrow());
  }

  /** The roster's button: shows it if hidden, hides it if shown. */
  toggle(): void {
    this.#open = !this.shown;
    this.#host.requestUpdate();
  }

  hostUpdated(): void {
    // On the shadow root, once it is rendered: focus moving within it is not told to the host.
    if (this.#listening) return;
    this.#listening = true;
    this.#host.renderRoot.addEventListener('focusin', (event) => {
      if (this.#overlaid && event.target === this.#options.part('textarea')) void this.#close(false);
    });
    this.#host.renderRoot.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key !== 'Escape' || !this.#overlaid) return;
      // Ours: a <dialog> holding the panel stays open.
      event.preventDefault();
      void this.#close(true);
    });
  }

  get #overlaid(): boolean {
    return this.#options.narrow() && this.shown;
  }

  /** Back to as the width has it, so a panel that grows shows the roster beside the log again. */
  async #close(focusButton: boolean): Promise<void> {
    this.#open = undefined;
    this.#host.requestUpdate();
    if (!focusButton) return;
    await this.#host.updateComplete;
    this.#options.part('.roster-toggle')?.focus();
  }
}
