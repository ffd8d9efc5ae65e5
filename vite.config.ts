import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { minifyHTMLLiterals } from '@lit-labs/rollup-plugin-minify-html-literals/lib/minify-html-literals.js';
import { defaultStrategy } from '@lit-labs/rollup-plugin-minify-html-literals/lib/strategy.js';
import { defineConfig, type Plugin } from 'vite';
import { localeFile, ON_DEMAND_LOCALES, type OnDemandLocale } from './src/i18n/locale-files.js';
import type { LocaleData } from './src/i18n/locale-data.js';
import zhCN from './src/i18n/locales/zh-CN.js';

// Two library builds, both written into dist/ (tsc adds the .d.ts files):
//
// - `vite build --mode module`: the ES module build for bundlers and Node. One
//   output file per source file (every module is an entry, so nothing is
//   dropped and deep imports keep working), every dependency left as an
//   import. The browser entries are side-effect free except the define
//   modules; the server lives in the same tree and runs on Node as it is.
// - `vite build`: the single-file script bundle, dist/message-center.min.js,
//   with everything inside but the languages other than English, which it
//   fetches from beside itself (dist/locales/*.json, written by this build).
//   It registers the elements and exposes the API on the `MessageCenter`
//   global.

/**
 * Lit's own literal minifier, except that a css`` fragment of bare
 * declarations (the panel's dark tokens, interpolated into two rules) is
 * minified as the body of a rule: on its own it is no stylesheet, and Lightning
 * CSS refuses it.
 */
const litStrategy: typeof defaultStrategy = {
  ...defaultStrategy,
  minifyCSS(css, options) {
    if (css.includes('{')) return defaultStrategy.minifyCSS!(css, options);
    const rule = defaultStrategy.minifyCSS!(`:host{${css}}`, options);
    return rule.slice(':host{'.length, -'}'.length);
  },
};

/**
 * Minifies the CSS (Lightning CSS) and HTML inside Lit's css``, html`` and
 * svg`` literals, which JS minifiers leave as they are. Whitespace between
 * HTML nodes is collapsed to one space, never removed, so text like
 * `${name} <small>(you)</small>` renders exactly as before.
 */
function minifyLitLiterals(): Plugin {
  return {
    name: 'message-center:minify-lit-literals',
    enforce: 'pre',
    async transform(code, id) {
      if (!/\/src\/.*\.ts$/.test(id) || !/\b(css|html|svg)`/.test(code)) return null;
      const result = await minifyHTMLLiterals(code, {
        fileName: id,
        strategy: litStrategy,
        // keepClosingSlash: in svg`` the HTML parser needs `<path/>` self-closed,
        // or the next shape becomes the path's child and is not drawn.
        minifyOptions: { conservativeCollapse: true, keepClosingSlash: true },
      });
      // The map as JSON text: its typed form declares `version` loosely (number | string).
      return result ? { code: result.code, map: result.map?.toString() ?? null } : null;
    },
  };
}

/** The data of each language loaded on demand (src/i18n/locales/), as the script bundle fetches it. */
const LOCALE_DATA: Record<OnDemandLocale, LocaleData> = { 'zh-CN': zhCN };
const localeJson = (locale: OnDemandLocale) => JSON.stringify(LOCALE_DATA[locale]);

/**
 * The script bundle's languages: it cannot split code, so load-locale.ts
 * (a dynamic import per language, for the npm build) gives way to
 * fetch-locale.ts, and each language is written as JSON beside the bundle
 * (dist/locales/zh-CN.json), with its hash written into the bundle for the
 * fetch's `integrity`.
 */
function scriptBundleLocales(): Plugin {
  const loader = resolve('src/i18n/load-locale.ts');
  const fetcher = resolve('src/i18n/fetch-locale.ts');
  return {
    name: 'message-center:script-bundle-locales',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id === loader ? fetcher : null;
    },
    generateBundle() {
      for (const locale of ON_DEMAND_LOCALES) this.emitFile({ type: 'asset', fileName: localeFile(locale), source: localeJson(locale) });
    },
  };
}

/**
 * Writes `FILE.sri` beside the script bundle: the value of its `integrity`
 * attribute (`sha384-…`, one line), hashed from the file as written, so a page
 * that pins the bundle can check it and the relay can serve it
 * (src/server/client-bundle.ts).
 */
function subresourceIntegrity(fileName: string): Plugin {
  return {
    name: 'message-center:subresource-integrity',
    apply: 'build',
    writeBundle(options) {
      const file = resolve(options.dir ?? 'dist', fileName);
      const hash = createHash('sha384').update(readFileSync(file)).digest('base64');
      writeFileSync(`${file}.sri`, `sha384-${hash}\n`);
    },
  };
}

/** sha384 of each language's JSON as written, for `fetch(…, { integrity })`. */
const localeIntegrity = () =>
  Object.fromEntries(
    ON_DEMAND_LOCALES.map((locale) => [locale, `sha384-${createHash('sha384').update(localeJson(locale)).digest('base64')}`]),
  );

/** Only in the script bundle: its entry, and how it fetches languages (in load-locale.ts's place). */
const SCRIPT_BUNDLE_ONLY = new Set([join('src', 'script-tag.ts'), join('src', 'i18n', 'fetch-locale.ts')]);

/** Every source module except those only in the script bundle, keyed by its path in dist/ without extension. */
function moduleEntries(folder = 'src'): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const dirent of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, dirent.name);
    if (dirent.isDirectory()) Object.assign(entries, moduleEntries(path));
    else if (/\.ts$/.test(dirent.name) && !/\.d\.ts$/.test(dirent.name) && !SCRIPT_BUNDLE_ONLY.has(path)) {
      entries[relative('src', path).replace(/\.ts$/, '')] = path;
    }
  }
  return entries;
}

/**
 * Bare specifiers (packages, node: builtins) stay imports in the ES module
 * build, except the compiler's own helpers (the decorator helper), which are
 * not a dependency of the package and are emitted into dist/ instead.
 */
const isDependency = (id: string) =>
  !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0') && !id.startsWith('@oxc-project/runtime');

/** What both builds share: dist/ (which tsc fills too), ES2022, source maps, Lit literals minified. */
const shared = { outDir: 'dist', emptyOutDir: false, target: 'es2022', sourcemap: true, copyPublicDir: false } as const;

/** The script bundle's file name in dist/. */
const SCRIPT_BUNDLE = 'message-center.min.js';

export default defineConfig(({ mode }) => ({
  plugins: mode === 'module' ? [minifyLitLiterals()] : [minifyLitLiterals(), scriptBundleLocales(), subresourceIntegrity(SCRIPT_BUNDLE)],
  define: mode === 'module' ? {} : { __LOCALE_INTEGRITY__: JSON.stringify(localeIntegrity()) },
  build:
    mode === 'module'
      ? {
          ...shared,
          // Left readable: the application's bundler minifies.
          minify: false,
          lib: { entry: moduleEntries(), formats: ['es'] },
          rollupOptions: {
            external: isDependency,
            output: {
              preserveModules: true,
              preserveModulesRoot: 'src',
              entryFileNames: '[name].js',
            },
          },
        }
      : {
          ...shared,
          lib: {
            entry: 'src/script-tag.ts',
            name: 'MessageCenter',
            formats: ['iife'],
            fileName: () => SCRIPT_BUNDLE,
          },
        },
}));
