import { readFileSync } from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import { resolve } from 'node:path';
import { fileRoutes, type FileRoute, type Handler } from './http.js';
import { localeFile, ON_DEMAND_LOCALES } from '../i18n/locale-files.js';
import { packageRoot, packageVersion } from './package-files.js';

const BUNDLE = 'message-center.min.js';
const SOURCE_MAP = `${BUNDLE}.map`;
/** The bundle's `integrity` value (`sha384-…`, one line), written by the build beside it (vite.config.ts). */
const INTEGRITY = `${BUNDLE}.sri`;

// Anyone may load a public script; these let pages on other origins use it
// fully: `<script crossorigin>` (error details, `integrity=`) and source map
// fetches need CORS; pages isolated with COEP need CORP. No credentials are
// involved, so `*` gives nothing away.
const SHAREABLE: OutgoingHttpHeaders = {
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
};
/** The latest bundle may change with the relay: browsers revalidate it (ETag) on every use. */
const REVALIDATE = 'no-cache';
/** A versioned path always holds the same bytes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
// Its strings are not all ASCII (translations): a page in another encoding must not re-decode them.
const SCRIPT_TYPE = 'text/javascript; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/**
 * The paths of the script bundle, its source map (`.map`), its subresource
 * integrity (`.sri`) and the languages it loads beside it: the latest at
 * `/message-center.min.js` and `/locales/zh-CN.json`, and this version's at
 * `/message-center@VERSION.min.js` and `/locales/zh-CN@VERSION.json`, for
 * pages that pin it (and can use `integrity=`); a pinned bundle fetches the
 * pinned languages. The `.sri` is cached exactly as its bundle is: it changes
 * when the bundle does.
 */
export function clientBundleRoutes(root = packageRoot(), version = packageVersion(root)): Map<string, FileRoute> {
  const bundle = resolve(root, 'dist', BUNDLE);
  const sourceMap = resolve(root, 'dist', SOURCE_MAP);
  const integrity = resolve(root, 'dist', INTEGRITY);
  const pinned = `message-center@${version}.min.js`;
  return new Map<string, FileRoute>([
    [`/${BUNDLE}`, { file: bundle, headers: { ...SHAREABLE, 'content-type': SCRIPT_TYPE, 'cache-control': REVALIDATE } }],
    [`/${SOURCE_MAP}`, { file: sourceMap, headers: { ...SHAREABLE, 'cache-control': REVALIDATE } }],
    [`/${INTEGRITY}`, { file: integrity, headers: { ...SHAREABLE, 'content-type': TEXT_TYPE, 'cache-control': REVALIDATE } }],
    // The bundle's own comment names the unversioned map, which a later
    // version replaces; the SourceMap header (which wins) names this one's.
    [`/${pinned}`, { file: bundle, headers: { ...SHAREABLE, 'content-type': SCRIPT_TYPE, 'cache-control': IMMUTABLE, sourcemap: `${pinned}.map` } }],
    [`/${pinned}.map`, { file: sourceMap, headers: { ...SHAREABLE, 'cache-control': IMMUTABLE } }],
    [`/${pinned}.sri`, { file: integrity, headers: { ...SHAREABLE, 'content-type': TEXT_TYPE, 'cache-control': IMMUTABLE } }],
    ...ON_DEMAND_LOCALES.flatMap((locale): Array<[string, FileRoute]> => {
      const file = resolve(root, 'dist', localeFile(locale));
      return [
        [`/${localeFile(locale)}`, { file, headers: { ...SHAREABLE, 'content-type': JSON_TYPE, 'cache-control': REVALIDATE } }],
        [`/${localeFile(locale, `@${version}`)}`, { file, headers: { ...SHAREABLE, 'content-type': JSON_TYPE, 'cache-control': IMMUTABLE } }],
      ];
    }),
  ]);
}

/** The built bundle's `integrity` value (`sha384-…`), or undefined before the first build. */
export function bundleIntegrity(root = packageRoot()): string | undefined {
  try {
    return readFileSync(resolve(root, 'dist', INTEGRITY), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Serves the script bundle (dist/message-center.min.js), its source map, its integrity and its languages (dist/locales/). */
export function clientBundleHandler(): Handler {
  return fileRoutes(clientBundleRoutes());
}
