import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { minifyHTMLLiterals } from '@lit-labs/rollup-plugin-minify-html-literals/lib/minify-html-literals.js';
import { defaultStrategy } from '@lit-labs/rollup-plugin-minify-html-literals/lib/strategy.js';
import { defineConfig, type Plugin } from 'vite';

// Two library builds, both written into dist/ (tsc adds the .d.ts files):
//
// - `vite build --mode module`: the ES module build for bundlers and Node. One
//   output file per source file (every module is an entry, so nothing is
//   dropped and deep imports keep working), every dependency left as an
//   import. The browser entries are side-effect free except the define
//   modules; the server lives in the same tree and runs on Node as it is.
// - `vite build`: the single-file script bundle, dist/message-center.min.js,
//   with everything inside. It registers the elements and exposes the API on
//   the `MessageCenter` global.

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

/** Every source module except the script-tag entry, keyed by its path in dist/ without extension. */
function moduleEntries(folder = 'src'): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const dirent of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, dirent.name);
    if (dirent.isDirectory()) Object.assign(entries, moduleEntries(path));
    else if (/\.ts$/.test(dirent.name) && !/\.d\.ts$/.test(dirent.name) && path !== join('src', 'script-tag.ts')) {
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

export default defineConfig(({ mode }) => ({
  plugins: [minifyLitLiterals()],
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
            fileName: () => 'message-center.min.js',
          },
        },
}));
