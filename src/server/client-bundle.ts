import type { OutgoingHttpHeaders } from 'node:http';
import { resolve } from 'node:path';
import { fileRoutes, type FileRoute, type Handler } from './http.js';
import { packageRoot, packageVersion } from './package-files.js';

const BUNDLE = 'message-center.min.js';
const SOURCE_MAP = `${BUNDLE}.map`;

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

/**
 * The paths of the script bundle and its source map: the latest at
 * `/message-center.min.js`, and this version's at
 * `/message-center@VERSION.min.js`, for pages that pin it (and can use `integrity=`).
 */
export function clientBundleRoutes(root = packageRoot(), version = packageVersion(root)): Map<string, FileRoute> {
  const bundle = resolve(root, 'dist', BUNDLE);
  const sourceMap = resolve(root, 'dist', SOURCE_MAP);
  const pinned = `message-center@${version}.min.js`;
  return new Map<string, FileRoute>([
    [`/${BUNDLE}`, { file: bundle, headers: { ...SHAREABLE, 'content-type': SCRIPT_TYPE, 'cache-control': REVALIDATE } }],
    [`/${SOURCE_MAP}`, { file: sourceMap, headers: { ...SHAREABLE, 'cache-control': REVALIDATE } }],
    // The bundle's own comment names the unversioned map, which a later
    // version replaces; the SourceMap header (which wins) names this one's.
    [`/${pinned}`, { file: bundle, headers: { ...SHAREABLE, 'content-type': SCRIPT_TYPE, 'cache-control': IMMUTABLE, sourcemap: `${pinned}.map` } }],
    [`/${pinned}.map`, { file: sourceMap, headers: { ...SHAREABLE, 'cache-control': IMMUTABLE } }],
  ]);
}

/** Serves the script bundle (dist/message-center.min.js) and its source map. */
export function clientBundleHandler(): Handler {
  return fileRoutes(clientBundleRoutes());
}
