/**
 * The languages besides English. English is built in; each of these is a
 * file of its own (a module in the npm build, dist/locales/NAME.json beside
 * the script bundle), loaded only when a panel's language asks for it.
 */
export const ON_DEMAND_LOCALES = ['zh-CN'] as const;

export type OnDemandLocale = (typeof ON_DEMAND_LOCALES)[number];

/**
 * Where a locale's JSON lies, relative to the script bundle; `pin` is the
 * bundle's own `@VERSION` when it was loaded from a pinned path
 * (message-center@0.1.0.min.js → locales/zh-CN@0.1.0.json), '' otherwise.
 */
export const localeFile = (locale: OnDemandLocale, pin = ''): string => `locales/${locale}${pin}.json`;
