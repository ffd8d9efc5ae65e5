import { pickLocale, type ChatStrings, type Locale } from '../../i18n/strings.js';

/**
 * The panel's language: its own `lang` attribute (`lang`), else the nearest
 * ancestor's, else the document's, else the browser's.
 */
export function localeOf(panel: Element, lang: string | null): Locale {
  const inherited = lang || panel.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang;
  return pickLocale(inherited || (typeof navigator !== 'undefined' ? navigator.language : 'en'));
}

/** A language's strings, with the page's overrides (`strings`) merged over them. */
export function withOverrides(base: ChatStrings, overrides: Partial<ChatStrings> | undefined): ChatStrings {
  return overrides ? { ...base, ...overrides, errors: { ...base.errors, ...overrides.errors } } : base;
}

/** One formatter per language: making one costs more than formatting every time of a long log. */
const timeFormats = new Map<Locale, Intl.DateTimeFormat>();

/** A message's time of day, as the language writes hours and minutes. */
export function formatTime(ts: number, locale: Locale): string {
  let format = timeFormats.get(locale);
  if (!format) timeFormats.set(locale, (format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' })));
  return format.format(ts);
}

/** "Ada, Bob and Eve", as the language lists names. */
export function listNames(names: readonly string[], locale: Locale): string {
  return new Intl.ListFormat(locale, { type: 'conjunction' }).format(names);
}
