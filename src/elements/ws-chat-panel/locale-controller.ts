import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatErrorDetail } from '../../client/types.js';
import { loadLocale, localeState } from '../../i18n/locales.js';
import { en, type ChatStrings, type Locale } from '../../i18n/strings.js';

/** The panel's own error when its language cannot be loaded (it goes on in English). */
const LOCALE_UNAVAILABLE = 'locale_unavailable';

/**
 * The language a panel shows: the one its `lang` asks for once that is
 * loaded (another panel may have loaded it already); English meanwhile, and
 * English for good when it cannot be loaded, which the panel reports once
 * per language as a `locale_unavailable` error.
 */
export class LocaleController implements ReactiveController {
  /** The language whose strings are shown. */
  shown: Locale = 'en';
  strings: ChatStrings = en;
  /**
   * The language asked for is still loading. The panel's live regions stay
   * quiet meanwhile: what they would say in English would be said again in
   * that language moments later.
   */
  loading = false;

  #wanted: Locale = 'en';
  /** The load this panel waits for, so a burst of renders waits once. */
  #awaiting: Locale | undefined;
  readonly #reported = new Set<Locale>();
  readonly #host: ReactiveControllerHost;
  readonly #options: { wanted: () => Locale; failed: (detail: ChatErrorDetail) => void };

  constructor(host: ReactiveControllerHost, options: { wanted: () => Locale; failed: (detail: ChatErrorDetail) => void }) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  hostUpdate(): void {
    const wanted = (this.#wanted = this.#options.wanted());
    const state = localeState(wanted);
    const ready = state !== undefined && !(state instanceof Error);
    this.shown = ready ? wanted : 'en';
    this.strings = ready ? state : en;
    this.loading = state === undefined;
    // Settled outside the render: the host renders again, or reports the failure.
    if ((state === undefined || (state instanceof Error && !this.#reported.has(wanted))) && this.#awaiting !== wanted) {
      this.#awaiting = wanted;
      void loadLocale(wanted).then(() => this.#settled(wanted));
    }
  }

  #settled(locale: Locale): void {
    if (this.#awaiting === locale) this.#awaiting = undefined;
    if (this.#wanted !== locale) return;
    const state = localeState(locale);
    if (state instanceof Error && !this.#reported.has(locale)) {
      this.#reported.add(locale);
      this.#options.failed({ code: LOCALE_UNAVAILABLE, message: `could not load the ${locale} strings (${state.message}); showing English` });
    }
    this.#host.requestUpdate();
  }
}
