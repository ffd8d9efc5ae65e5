import { loadLocaleData } from './load-locale.js';
import { compileLocale, type LocaleData } from './locale-data.js';
import { en, type ChatStrings, type Locale } from './strings.js';

// The languages of every panel on the page: each loads once, whichever panel
// asks first, and stays; one that failed is not asked for again (the page
// keeps English for it until it is reloaded).

const loaded = new Map<Locale, ChatStrings>([['en', en]]);
const failed = new Map<Locale, Error>();
const loading = new Map<Locale, Promise<void>>();

/** The strings of `locale` once loaded; why it could not be loaded; or undefined while it has not been. */
export function localeState(locale: Locale): ChatStrings | Error | undefined {
  return loaded.get(locale) ?? failed.get(locale);
}

/**
 * Loads `locale` unless it is loaded, loading or failed. The promise
 * settles (never rejects) once `localeState` has the outcome.
 */
export function loadLocale(locale: Locale): Promise<void> {
  if (localeState(locale)) return Promise.resolve();
  let load = loading.get(locale);
  if (!load) {
    load = loadLocaleData(locale as Exclude<Locale, 'en'>)
      .then((data) => compileLocale(data as LocaleData, locale))
      .then(
        (strings) => void loaded.set(locale, strings),
        (error: unknown) => void failed.set(locale, error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => loading.delete(locale));
    loading.set(locale, load);
  }
  return load;
}
