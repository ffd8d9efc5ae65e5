import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Peer } from '../../client/types.js';
import { candidates, insertMention, mentionedIds, mentionQuery } from './mentions.js';

/** About what the list shows without scrolling above a composer. */
const MAX_OFFERED = 6;

export interface MentionPickerOptions {
  /** Whether mentions are offered at all (not in the legacy dialect: it has no ids to carry). */
  readonly enabled: () => boolean;
  /** The people the panel knows to be online (its rooms' rosters, and what a search found). */
  readonly peers: () => readonly Peer[];
  readonly selfId: () => string | undefined;
  readonly textbox: () => HTMLTextAreaElement | undefined;
  /** A large room's roster is its most active part: the relay's search (`who`) for `query`, else undefined. */
  readonly search: (query: string) => Promise<readonly Peer[]> | undefined;
}

/**
 * Typing `@` in the composer offers the names of the people online, as the
 * WAI-ARIA combobox pattern does for a textbox: focus stays in the textbox
 * (`aria-autocomplete="list"`, `aria-controls`, `aria-activedescendant`),
 * ArrowUp/ArrowDown move through the listbox, Enter or Tab picks, Escape
 * closes, and a click picks too. Picking writes `@Name ` and remembers whose
 * session that name is: the message carries the ids of those whose `@Name`
 * is still in the text when it goes.
 */
export class MentionPicker implements ReactiveController {
  /** The people offered (the listbox is open while there are some). */
  options: readonly Peer[] = [];
  /** Which of them Enter would pick. */
  active = 0;
  /** Where the `@` of the mention being typed is, and what follows it. */
  #query: { readonly start: number; readonly query: string } | undefined;
  /** Escape closed the listbox for the `@` at this index; typing on does not reopen it. */
  #dismissedAt = -1;
  /** Ids of the people picked, with the name each was written as. */
  readonly #picked = new Map<string, string>();
  #searched = '';
  /** What the relay's search found for the last query (a large room). */
  #found: readonly Peer[] = [];

  readonly #host: ReactiveControllerHost;
  readonly #options: MentionPickerOptions;

  constructor(host: ReactiveControllerHost, options: MentionPickerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  get open(): boolean {
    return this.options.length > 0;
  }

  hostUpdate(): void {
    // The roster changes under an open list (someone left, a search answered): offer who is there now.
    if (this.#query) this.#offer();
  }

  /** The textbox's text or caret moved: is a mention being typed, and whom does it offer? */
  readonly onCaret = (): void => {
    const textbox = this.#options.textbox();
    const wasOpen = this.open;
    const found =
      textbox && this.#options.enabled() && textbox.selectionStart === textbox.selectionEnd ? mentionQuery(textbox.value, textbox.selectionStart) : undefined;
    // Another `@`, or none: what Escape closed is behind.
    if (found?.start !== this.#dismissedAt) this.#dismissedAt = -1;
    this.#query = found && found.start !== this.#dismissedAt ? found : undefined;
    this.#offer();
    const query = this.#query?.query;
    if (query && query !== this.#searched) {
      this.#searched = query;
      // Failed or late: the roster's names are offered meanwhile, and a late answer to an older query is dropped.
      this.#options.search(query)?.then(
        (peers) => {
          if (this.#searched !== query) return;
          this.#found = peers;
          this.#host.requestUpdate();
        },
        () => {},
      );
    }
    if (wasOpen || this.open) this.#host.requestUpdate();
  };

  /** Keys for the open listbox; returns whether the key was one (the composer then does nothing with it). */
  keyDown(event: KeyboardEvent): boolean {
    if (!this.open || event.isComposing) return false;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        const step = event.key === 'ArrowDown' ? 1 : -1;
        this.active = (this.active + step + this.options.length) % this.options.length;
        break;
      }
      case 'Enter':
      case 'Tab':
        if (event.shiftKey) return false;
        this.pick(this.options[this.active]!);
        break;
      case 'Escape':
        this.#dismissedAt = this.#query?.start ?? -1;
        this.#close();
        // The roster folded over a narrow panel closes on Escape too: this Escape was the listbox's.
        event.stopPropagation();
        break;
      default:
        return false;
    }
    event.preventDefault();
    this.#host.requestUpdate();
    return true;
  }

  /** Writes `@Name ` in place of the mention being typed, and remembers whose name it is. */
  readonly pick = (peer: Peer): void => {
    const textbox = this.#options.textbox();
    const query = this.#query;
    if (!textbox || !query) return;
    const written = insertMention(textbox.value, query.start, textbox.selectionStart, peer.name);
    textbox.value = written.text;
    textbox.setSelectionRange(written.caret, written.caret);
    textbox.focus();
    this.#picked.set(peer.id, peer.name);
    this.#close();
    // As typing does: the composer (and whatever listens for typing) takes the new text from the event.
    textbox.dispatchEvent(new Event('input', { bubbles: true }));
    this.#host.requestUpdate();
  };

  /** The ids of the people `text` mentions, of those picked while writing it. */
  mentioned(text: string): string[] {
    return mentionedIds(text, this.#picked);
  }

  /** The message went: its mentions go with it. */
  sent(): void {
    this.#picked.clear();
    this.#close();
  }

  #offer(): void {
    const query = this.#query;
    const before = this.options[this.active]?.id;
    this.options = query ? candidates([...this.#options.peers(), ...this.#found], query.query, this.#options.selfId(), MAX_OFFERED) : [];
    // The person highlighted stays highlighted while the list around them changes.
    const kept = this.options.findIndex((peer) => peer.id === before);
    this.active = kept >= 0 ? kept : 0;
  }

  /** Focus left the textbox (not for the list: a click on an option keeps it there). */
  readonly onBlur = (): void => {
    if (!this.open) return;
    this.#close();
    this.#host.requestUpdate();
  };

  #close(): void {
    this.#query = undefined;
    this.#found = [];
    this.#searched = '';
    this.options = [];
    this.active = 0;
  }
}
