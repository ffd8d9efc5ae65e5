import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * What the panels of a page have put in `document.title`: one record per
 * page, under a global symbol, so the panels of the script-tag build and of
 * the npm build on the same page share it instead of badging each other's
 * badge.
 */
interface TitleState {
  /** Unread counts of the panels that show them in the title. */
  readonly counts: Map<object, number>;
  /** The page's own title, while a badge is shown. */
  original: string | undefined;
  /** The title as the badge last set it. */
  shown: string | undefined;
}

const KEY = Symbol.for('message-center.title-badge');

const state = (): TitleState =>
  ((globalThis as { [KEY]?: TitleState })[KEY] ??= { counts: new Map(), original: undefined, shown: undefined });

/**
 * Puts `owner`'s unread count into the page's title, as `(N) title`, N the
 * sum over every panel badging it; 0 withdraws it. The page's own title is
 * put back exactly once no panel has anything unread. When the page changed
 * its title while badged, that is its own title from then on.
 */
export function badgeTitle(owner: object, count: number): void {
  const title = state();
  if (count > 0) title.counts.set(owner, count);
  else title.counts.delete(owner);
  const changedByPage = title.shown !== undefined && document.title !== title.shown;
  if (changedByPage) title.original = document.title;
  let total = 0;
  for (const each of title.counts.values()) total += each;
  if (total === 0) {
    if (title.original !== undefined && !changedByPage) document.title = title.original;
    title.original = title.shown = undefined;
    return;
  }
  title.original ??= document.title;
  const badged = `(${total}) ${title.original}`;
  if (changedByPage || badged.trim() !== title.shown) {
    document.title = badged;
    // Read back: the browser collapses white space, and the next call compares with what it keeps.
    title.shown = document.title;
  }
}

/** Keeps the host's unread count in the page's title while `enabled`, and takes it out when the host leaves the page. */
export class TitleBadgeController implements ReactiveController {
  readonly #enabled: () => boolean;
  readonly #count: () => number;
  #connected = false;

  constructor(host: ReactiveControllerHost, enabled: () => boolean, count: () => number) {
    this.#enabled = enabled;
    this.#count = count;
    host.addController(this);
  }

  hostConnected(): void {
    this.#connected = true;
  }

  hostUpdated(): void {
    // An update already scheduled still runs after the host left the page: it must not badge the title again.
    badgeTitle(this, this.#connected && this.#enabled() ? this.#count() : 0);
  }

  hostDisconnected(): void {
    this.#connected = false;
    badgeTitle(this, 0);
  }
}
