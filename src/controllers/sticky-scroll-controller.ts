import type { ReactiveController } from 'lit';
import { ResizeController, type RenderingHost } from './resize-controller.js';

/** Items rendered at first; "show earlier" reveals this many more each time. */
const PAGE = 150;
/** Closer than this to the bottom counts as at the bottom. */
const STICK_THRESHOLD_PX = 40;

/**
 * Keeps a scrolling log at its latest entry while the reader is there, and
 * out of their way when they scrolled up to read: entries that arrive then
 * are counted (`unseen`, for an "N new messages" button) instead of pulling
 * the log down. Only the latest `shown` entries are rendered; scrolling to
 * the top, or `showEarlier`, renders a page more and keeps what the reader
 * was looking at in place. When the log's box changes size (the composer
 * grows, the window shrinks) a log at its bottom stays there.
 *
 * Wire `onScroll` to the log's scroll event.
 */
export class StickyScrollController implements ReactiveController {
  /** New entries arrived while the reader was scrolled up. */
  unseen = 0;
  /** How many of the latest entries to render. */
  shown = PAGE;
  /** The reader is at the bottom: the log follows new entries. */
  #stick = true;
  /** Where the bottom was before earlier entries were rendered above it. */
  #restoreFromBottom: number | undefined;

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

  /** The log follows new entries again (the reader sent one). */
  follow(): void {
    this.#stick = true;
  }

  /** An entry arrived that the reader should know of: counted while they read further up. */
  arrived(): void {
    if (this.#stick) return;
    this.unseen += 1;
    this.#host.requestUpdate();
  }

  /** Back to the first page, with nothing unseen (the log was emptied). */
  reset(): void {
    this.unseen = 0;
    this.shown = PAGE;
    this.#host.requestUpdate();
  }

  readonly onScroll = (): void => {
    const log = this.#log()!;
    this.#stick = log.scrollHeight - log.scrollTop - log.clientHeight < STICK_THRESHOLD_PX;
    if (this.#stick && this.unseen) {
      this.unseen = 0;
      this.#host.requestUpdate();
    }
    if (log.scrollTop === 0 && this.#total() > this.shown) this.showEarlier();
  };

  readonly showEarlier = (): void => {
    const log = this.#log()!;
    this.#restoreFromBottom = log.scrollHeight - log.scrollTop;
    this.shown += PAGE;
    this.#host.requestUpdate();
  };

  readonly jumpToLatest = (): void => {
    const log = this.#log()!;
    this.#stick = true;
    this.unseen = 0;
    log.scrollTop = log.scrollHeight;
    this.#host.requestUpdate();
  };

  hostUpdated(): void {
    const log = this.#log();
    if (!log) return;
    if (this.#restoreFromBottom !== undefined) {
      log.scrollTop = log.scrollHeight - this.#restoreFromBottom;
      this.#restoreFromBottom = undefined;
    } else if (this.#stick) {
      log.scrollTop = log.scrollHeight;
    }
  }
}
