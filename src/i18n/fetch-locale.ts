import { localeFile, type OnDemandLocale } from './locale-files.js';

// How the script bundle loads a language: it cannot split code, so it fetches
// the language's JSON from where the bundle itself came from (dist/locales/
// beside dist/message-center.min.js; the relay serves them side by side),
// with the hash the build wrote into the bundle, so a page's `integrity=` on
// the bundle covers the locale too. Takes load-locale.ts's place in the
// script bundle's build (vite.config.ts).

/** sha384 of each dist/locales/NAME.json, written in by the build (vite.config.ts). */
declare const __LOCALE_INTEGRITY__: Readonly<Record<OnDemandLocale, string>>;

let base: URL | undefined;
let pin = '';

/**
 * Takes the locales from beside the script at `scriptSrc`: the bundle calls
 * it with its own address while it runs. A pinned bundle
 * (message-center@VERSION.min.js) takes the pinned locale files.
 */
export function useLocalesOfScript(scriptSrc: string): void {
  try {
    base = new URL(scriptSrc);
  } catch {
    return;
  }
  pin = /^message-center(@[^/]+)\.min\.js$/.exec(base.pathname.slice(base.pathname.lastIndexOf('/') + 1))?.[1] ?? '';
}

/** The data of `locale`; rejects with what went wrong (no address, HTTP status, a hash that does not match, not JSON). */
export async function loadLocaleData(locale: OnDemandLocale): Promise<unknown> {
  if (!base) throw Error('the script has no address to fetch it beside');
  const url = new URL(localeFile(locale, pin), base).href;
  try {
    const response = await fetch(url, { integrity: __LOCALE_INTEGRITY__[locale] });
    if (!response.ok) throw `HTTP ${response.status}`;
    return await response.json();
  } catch (error) {
    // "TypeError: Failed to fetch" names neither the file nor the page's problem: say which file.
    throw Error(`${url}: ${String(error)}`);
  }
}
