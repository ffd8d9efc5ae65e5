import type { ClientStore, ResumeState } from './persistence.js';

const RESUME_SAVE_MS = 250;

/**
 * The session, epoch and newest processed offset a client resumes from
 * (docs/PROTOCOL.md section 20.1), and their copy in the store: written a
 * moment after the offset moves (a burst of messages is one write), and at
 * once when the session changes or `flush()` is called.
 */
export class ResumeKeeper {
  readonly #store: ClientStore;
  #state: ResumeState | undefined;
  #dirty = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(store: ClientStore) {
    this.#store = store;
  }

  get state(): ResumeState | undefined {
    return this.#state;
  }

  /** Takes what the store kept (from before a reload). */
  load(): void {
    this.#state = this.#store.loadResume();
  }

  /** A welcome gave the session and epoch: written at once. */
  replace(state: ResumeState): void {
    this.#state = state;
    this.#dirty = true;
    this.flush();
  }

  /** A message at `offset` of `epoch` was processed. */
  processed(epoch: string, offset: number): void {
    if (this.#state && this.#state.epoch === epoch && offset <= this.#state.offset) return;
    this.#state = { session: this.#state?.session ?? '', epoch, offset };
    this.#dirty = true;
    this.#timer ??= setTimeout(() => this.flush(), RESUME_SAVE_MS);
  }

  /** Someone else took the session over: the next connection starts a new one. */
  forget(): void {
    this.#state = undefined;
    this.#store.saveResume(undefined);
  }

  /** Writes a change not yet written, now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#store.saveResume(this.#state);
  }
}
