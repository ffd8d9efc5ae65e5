import type { TestRunnerPlugin } from '@web/test-runner';
import { build, type Plugin as EsbuildPlugin } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What the framework tests need from the test server:
 *
 * - React ships CommonJS only, which a browser cannot import. Both React 19
 *   (`react`, `react-dom`) and React 18 (the `react18` / `react-dom18` npm
 *   aliases) are bundled to ES modules once, when the server starts, and
 *   served under /__react/19/ and /__react/18/. Bare `react` imports resolve
 *   to React 19; a test group maps /__react/19/ to /__react/18/ with an
 *   import map to run the same code on React 18.
 * - `vue` resolves to Vue's self-contained browser build, which includes the
 *   template compiler (the package's default build expects a bundler).
 */
export function frameworkPlugin(): TestRunnerPlugin {
  const files = new Map<string, string>();
  return {
    name: 'message-center-frameworks',
    async serverStart() {
      await Promise.all([bundleReact('19', {}, files), bundleReact('18', { react: 'react18', 'react-dom': 'react-dom18' }, files)]);
    },
    resolveImport({ source }) {
      const entry = REACT_ENTRIES[source];
      if (entry) return `/__react/19/${entry}.js`;
      if (source === 'vue') return '/node_modules/vue/dist/vue.esm-browser.js';
      return undefined;
    },
    serve(context) {
      const body = files.get(context.path);
      return body === undefined ? undefined : { body, type: 'js' };
    },
  };
}

/** Bare specifier → file name under /__react/<version>/. */
const REACT_ENTRIES: Record<string, string> = {
  react: 'react',
  'react-dom': 'react-dom',
  'react-dom/client': 'react-dom-client',
};

const ENV = { 'process.env.NODE_ENV': '"development"' };

/**
 * Bundles one React version into ES modules that share one copy of React
 * (code splitting), each entry re-exporting the CommonJS module's names.
 */
async function bundleReact(version: string, alias: Record<string, string>, into: Map<string, string>): Promise<void> {
  const sources: Record<string, string> = {};
  for (const [specifier, name] of Object.entries(REACT_ENTRIES)) {
    const names = await exportNames(specifier, alias);
    sources[name] = `import M from ${JSON.stringify(specifier)};\nexport default M;\nexport const { ${names.join(', ')} } = M;\n`;
  }
  const virtualEntries: EsbuildPlugin = {
    name: 'react-entries',
    setup(build) {
      build.onResolve({ filter: /^entry:/ }, (args) => ({ path: args.path.slice('entry:'.length), namespace: 'entry' }));
      build.onLoad({ filter: /.*/, namespace: 'entry' }, (args) => ({ contents: sources[args.path], resolveDir: root, loader: 'js' }));
    },
  };
  const result = await build({
    entryPoints: Object.fromEntries(Object.keys(sources).map((name) => [name, `entry:${name}`])),
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir: '/__react',
    write: false,
    alias,
    define: ENV,
    plugins: [virtualEntries],
    logLevel: 'silent',
  });
  for (const file of result.outputFiles) into.set(file.path.replace(/^\/__react\//, `/__react/${version}/`), file.text);
}

/** The names a CommonJS module exports, found by bundling and running it. */
async function exportNames(specifier: string, alias: Record<string, string>): Promise<string[]> {
  const result = await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(specifier)});`, resolveDir: root },
    bundle: true,
    format: 'cjs',
    write: false,
    alias,
    define: ENV,
    logLevel: 'silent',
  });
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', result.outputFiles[0]!.text)(module, module.exports);
  return Object.keys(module.exports).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default');
}
