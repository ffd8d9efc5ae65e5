import type { ReactiveController } from 'lit';
import { ResizeController, type RenderingHost } from './resize-controller.js';

/** Entries rendered once a log opens; "show earlier" reveals this many more each time. */
const PAGE = 150;
/**
 * Entries rendered per update, about a screenful of a tall log: rendering a
 * page of 150 at once took 20–30 ms of CPU, 55–150 ms on a busy machine
 * (bench:panel). The host renders at most once a frame, so the page has its
 * turn between slices.
 */
const SLICE = 25;
/**
 * Entries rendered at most: every update walks them all, so a reader far up
 * a long history has the entries near them rendered, not all since.
 */
const MAX_RENDERED = 3 * PAGE;
/** Closer than this to the bottom counts as at the bottom. */
const STICK_THRESHOLD_PX = 40;

/**
 * Keeps a scrolling log at its latest entry while the reader is there, and
 * out of their way when they scrolled up to read: entries that arrive then
 * do not pull the log down (`atLatest` tells which; whoever counts them for
 * an "N new messages" button asks it). It renders a window of the entries (`first` to `end`), the
 * latest at first: a slice per update, the newest slice first, up to a page.
 * Scrolling near the top, or `showEarlier`, renders earlier entries above,
 * and scrolling near the bottom of a window that has left the latest behind
 * renders later ones below, a slice at a time, dropping entries far from
 * view; what the reader is looking at stays in place throughout. When the
 * log's box changes size (the composer grows, the window shrinks) a log at
 * its bottom stays there.
 *
 * Wire `onScroll` to the log's scroll event; the log's messages carry
 * `data-key` (what stays in place is one of them).
 */
export class StickyScrollController implements ReactiveController {
  /** How many entries to render. */
  #shown = SLICE;
  /** How many of the latest entries are below the window (0: it ends at the latest). */
  #below = 0;
  /** Earlier entries still to render above, a slice per update. */
  #reveal = PAGE - SLICE;
  /** The reader is at the bottom: the log follows new entries. */
  #stick = true;
  /** An entry in view and how far below the log's top edge it was, before the update: it stays there. */
  #anchor: { element: Element; top: number } | undefined;

  readonly #host: RenderingHost;
  readonly #log: () => HTMLElement | undefined;
  /** How many entries there are to render. */
  readonly #total: () => number;

  constructor(host: RenderingHost, log: () => HTMLElement | undefined, total: () => number) {
    this.#host = host;
    this.#log = log;
    this.#total = total;
    host.addController(this);
    new ResizeController(host, () => [log()], () => {
      const element = log();
      if (this.#stick && element) element.scrollTop = element.scrollHeight;
    });
  }

  /** The window of entries to render: indexes `[first, end)`. */
  get first(): number {
    return Math.max(0, this.end - this.#shown);
  }

  get end(): number {
    return Math.max(0, this.#total() - this.#below);
  }

  /** The reader is at the latest entry: what arrives is in view. */
  get atLatest(): boolean {
    return this.#stick;
  }

  /** Earlier entries are being rendered above, a slice per update. */
  get busy(): boolean {
    return this.#reveal > 0 && this.first > 0;
  }

  /** The log follows new entries again (the reader sent one). */
  follow(): void {
    this.#stick = true;
    this.#toLatest();
  }

  /** An entry arrived while the reader may be further up: a window that has left the latest behind stays where the reader is. */
  arrived(): void {
    if (this.#below) this.#below += 1;
  }

  /** Back to the latest page (the log was emptied). */
  reset(): void {
    this.#shown = SLICE;
    this.#below = 0;
    this.#reveal = PAGE - SLICE;
    this.#host.requestUpdate();
  }

  readonly onScroll = (): void => {
    const log = this.#log()!;
    this.#stick = !this.#below && log.scrollHeight - log.scrollTop - log.clientHeight < STICK_THRESHOLD_PX;
    this.#more();
  };

  readonly showEarlier = (): void => {
    this.#reveal += PAGE;
    this.#more();
  };

  readonly jumpToLatest = (): void => {
    const log = this.#log()!;
    this.#stick = true;
    this.#toLatest();
    log.scrollTop = log.scrollHeight;
    this.#host.requestUpdate();
  };

  hostUpdate(): void {
    // Measured just before the render: the reader may have scrolled since the update was asked for.
    const log = this.#log();
    this.#anchor = undefined;
    if (!log || this.#stick) return;
    const top = log.getBoundingClientRect().top;
    const element = [...log.querySelectorAll('[data-key]')].find((entry) => entry.getBoundingClientRect().bottom > top);
    if (element) this.#anchor = { element, top: element.getBoundingClientRect().top - top };
  }

  hostUpdated(): void {
    const log = this.#log();
    if (!log) return;
    const anchor = this.#anchor;
    if (anchor?.element.isConnected) {
      log.scrollTop += anchor.element.getBoundingClientRect().top - log.getBoundingClientRect().top - anchor.top;
    } else if (this.#stick) {
      log.scrollTop = log.scrollHeight;
    }
    this.#anchor = undefined;
    this.#more();
  }

  /** The window ends at the latest entry again, a page of it. */
  #toLatest(): void {
    if (!this.#below) return;
    this.#below = 0;
    this.#shown = Math.min(this.#shown, PAGE);
    this.#reveal = 0;
  }

  /**
   * A slice more for the next update, where one is due: above, while earlier
   * entries are still to be revealed or the reader is near the top; below,
   * while the reader is near the bottom of a window short of the latest.
   * Entries far from view go: below the window when it grew upwards, above
   * it when it grew down.
   */
  #more(): void {
    const log = this.#log();
    if (!log) return;
    const up = this.first > 0 && (this.#reveal > 0 || log.scrollTop < log.clientHeight);
    const step = up ? SLICE : Math.min(SLICE, this.#below);
    if (!up && !(step && log.scrollHeight - log.scrollTop < 2 * log.clientHeight)) return;
    this.#shown += step;
    if (up) this.#reveal = Math.max(0, this.#reveal - step);
    else this.#below -= step;
    const excess = this.#shown - MAX_RENDERED;
    if (excess > 0) {
      if (up) this.#below += excess;
      this.#shown = MAX_RENDERED;
    }
    this.#host.requestUpdate();
  }
}
