import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Keeps keyboard focus inside a component whose render removes the control
 * that had it: a recipient chip's remove button, Retry, "N new messages",
 * "Reconnect now". Without it, focus falls to the page's `<body>` and a
 * keyboard user starts over from the top of the page.
 *
 * Before each update it notes what has focus in the shadow root and where
 * focus should go should that element be gone afterwards (`fallbackFor` is
 * asked while the element is still in place, so it can look at where it sits).
 */
export class FocusKeeperController implements ReactiveController {
  private focused: Element | undefined;
  private fallback: HTMLElement | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly fallbackFor: (focused: Element) => HTMLElement | undefined,
  ) {
    host.addController(this);
  }

  hostUpdate(): void {
    const focused = this.host.shadowRoot?.activeElement ?? undefined;
    this.focused = focused;
    this.fallback = focused ? this.fallbackFor(focused) : undefined;
  }

  hostUpdated(): void {
    const { focused, fallback } = this;
    this.focused = this.fallback = undefined;
    // Focus that moved on by itself (to another control, or out of the panel) is left where it went.
    if (focused && !focused.isConnected && !this.host.shadowRoot?.activeElement && fallback?.isConnected) fallback.focus();
  }
}
