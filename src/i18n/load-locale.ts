import type { OnDemandLocale } from './locale-files.js';
import type { LocaleData } from './locale-data.js';

// How the npm build loads a language: each is a module of its own, which the
// application's bundler splits off and loads only when a panel asks for it.
// The script bundle, which cannot split, has fetch-locale.ts in this
// module's place (vite.config.ts).

const modules: Record<OnDemandLocale, () => Promise<{ default: LocaleData }>> = {
  'zh-CN': () => import('./locales/zh-CN.js'),
};

/** The data of `locale`; rejects when it cannot be loaded. */
export async function loadLocaleData(locale: OnDemandLocale): Promise<unknown> {
  return (await modules[locale]()).default;
}
