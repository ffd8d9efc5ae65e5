import type { IncomingMessage } from 'node:http';

/**
 * Decides which web pages may open a WebSocket to the relay. Browsers send
 * the page's origin with every upgrade and let any page connect anywhere, so
 * without this check a page on another site could connect in its visitor's
 * name (cross-site WebSocket hijacking: the browser adds the relay's cookies
 * and HTTP authentication). Clients that are not browsers send no Origin and
 * are not checked here; authentication is what stops them.
 */
export type OriginCheck = (request: IncomingMessage) => boolean;

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };

/**
 * `https://Example.com:443/` → `https://example.com`: the form browsers send
 * in the Origin header. Throws a TypeError naming the entry when it is not an
 * origin (a path, a query, a missing scheme, a wildcard inside a host).
 */
export function normalizeOrigin(entry: string): string {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new TypeError(`createRelayServer: allowOrigins: ${JSON.stringify(entry)} is not an origin (scheme://host[:port], or "*")`);
  }
  if (url.origin === 'null' || !url.host || url.host.includes('*') || url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new TypeError(
      `createRelayServer: allowOrigins: ${JSON.stringify(entry)} is not an origin (scheme://host[:port], no path, or "*")`,
    );
  }
  return url.origin;
}

/** `host[:port]` of the Host header, with the scheme's default port made explicit, lowercased. */
function hostWithPort(host: string, protocol: string): string {
  const lower = host.toLowerCase();
  // An IPv6 literal ends with "]"; anything else with ":digits" has a port.
  return /:\d+$/.test(lower) ? lower : `${lower}:${DEFAULT_PORTS[protocol] ?? ''}`;
}

/**
 * The check for `allowOrigins`: `['*']` lets every page in; otherwise a
 * browser page may connect when its origin is listed or when it is the
 * relay's own (the Origin's host and port equal the Host header's: the page
 * was served from where the relay is). A request without an Origin header is
 * not from a page, and passes. `Origin: null` (sandboxed frames, files)
 * passes only with `*`.
 */
export function compileOriginCheck(allowOrigins: readonly string[] | undefined): OriginCheck {
  if (allowOrigins?.includes('*')) return () => true;
  const allowed = new Set((allowOrigins ?? []).map(normalizeOrigin));
  return (request) => {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    if (allowed.has(origin.toLowerCase())) return true;
    let page: URL;
    try {
      page = new URL(origin);
    } catch {
      return false;
    }
    if (page.origin === 'null' || !page.host) return false;
    if (allowed.has(page.origin)) return true;
    const host = request.headers.host;
    if (!host) return false;
    return hostWithPort(page.host, page.protocol) === hostWithPort(host, page.protocol);
  };
}
