// The built package imported in Node with no DOM, as a server-side rendering
// framework (Next.js, Nuxt, Angular SSR) imports it: by its package name,
// through package.json's `exports`, from dist/ (npm test builds first).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

interface Outcome {
  keys: string[];
  /** Whether `window` / `document` exist after the import (nothing may create them). */
  window: string;
  document: string;
  /** Tags registered in the registry Lit provides on Node (its SSR shim). */
  defined: Record<string, boolean>;
  /** Reads of window/document by our own modules, as file:line. */
  readsByUs: string[];
}

/**
 * Imports `specifier` in a fresh Node process where reading `window` or
 * `document` is recorded (and finds nothing). Lit itself checks for them when
 * it loads (`globalThis.document === undefined`); our own modules must not
 * need them.
 */
async function importInNode(specifier: string): Promise<Outcome> {
  const script = `
    const reads = [];
    for (const name of ['window', 'document']) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          const caller = new Error().stack.split('\\n')[2] ?? '';
          reads.push(name + ' ' + caller.trim());
          return undefined;
        },
      });
    }
    const module = await import(${JSON.stringify(specifier)});
    const readsByUs = reads.filter((read) => read.includes('/dist/'));
    for (const name of ['window', 'document']) delete globalThis[name];
    const registry = globalThis.customElements;
    console.log(JSON.stringify({
      keys: Object.keys(module).sort(),
      window: typeof window,
      document: typeof document,
      defined: {
        'ws-chat-panel': Boolean(registry?.get('ws-chat-panel')),
        'message-center-provider': Boolean(registry?.get('message-center-provider')),
      },
      readsByUs,
    }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Outcome;
}

describe('the package in Node, without a DOM', () => {
  it('is built (npm run build) before these tests run', () => {
    for (const file of ['dist/index.js', 'dist/define.js', 'dist/react.js', 'dist/vue.js', 'dist/index.d.ts']) {
      assert.ok(existsSync(new URL(`../../${file}`, import.meta.url)), `${file} is missing: run npm run build`);
    }
  });

  it('the main entry imports, registers nothing and reads neither window nor document', async () => {
    const outcome = await importInNode('lit-message-center');
    assert.deepEqual(outcome.readsByUs, []);
    assert.equal(outcome.window, 'undefined');
    assert.equal(outcome.document, 'undefined');
    assert.deepEqual(outcome.defined, { 'ws-chat-panel': false, 'message-center-provider': false });
    for (const name of ['createMessageCenter', 'getDefaultMessageCenter', 'WsChatPanel', 'MessageCenterProvider', 'BusController']) {
      assert.ok(outcome.keys.includes(name), `exports ${name}`);
    }
  });

  it('the define entry registers both elements in the SSR registry, reading document only to see it is absent', async () => {
    const outcome = await importInNode('lit-message-center/define');
    assert.deepEqual(outcome.defined, { 'ws-chat-panel': true, 'message-center-provider': true });
    assert.equal(outcome.document, 'undefined');
    // The only read is the guard before attaching the context root to a document.
    assert.deepEqual(
      outcome.readsByUs.map((read) => read.replace(/^(\w+) .*\/dist\/(.*?):\d+:\d+\)?$/, '$1 $2')),
      ['document elements/message-center-provider/define.js'],
    );
  });

  it('the React components import for server rendering', async () => {
    const outcome = await importInNode('lit-message-center/react');
    assert.deepEqual(outcome.keys, ['MessageCenterProvider', 'WsChatPanel']);
    assert.equal(outcome.window, 'undefined');
    assert.equal(outcome.document, 'undefined');
  });

  it('the Vue types entry and the protocol import as modules too', async () => {
    assert.deepEqual((await importInNode('lit-message-center/vue')).keys, []);
    const protocol = await importInNode('lit-message-center/protocol');
    assert.ok(protocol.keys.includes('decodeServerFrame'));
    assert.deepEqual(protocol.readsByUs, []);
  });

  it('every export of package.json points at a built file, types first', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>;
      customElements: string;
    };
    for (const [entry, target] of Object.entries(pkg.exports)) {
      const conditions = typeof target === 'string' ? { default: target } : target;
      if (typeof target !== 'string') assert.equal(Object.keys(target)[0], 'types', `${entry}: "types" must come first`);
      for (const file of Object.values(conditions)) {
        assert.ok(existsSync(new URL(`../../${file}`, import.meta.url)), `${entry} → ${file} exists`);
      }
    }
    assert.ok(existsSync(new URL(`../../${pkg.customElements}`, import.meta.url)), 'customElements points at the manifest');
  });
});
