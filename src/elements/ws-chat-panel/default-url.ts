let fromScript = '';

/**
 * Makes the relay at `scriptSrc`'s origin the default for panels without a
 * `url`: the script-tag build calls it with the address it was loaded from,
 * so the relay that serves the script is the one its panels talk to.
 * Addresses that are not http(s) are ignored.
 */
export function useRelayOfScript(scriptSrc: string): void {
  let url: URL;
  try {
    url = new URL(scriptSrc);
  } catch {
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
  fromScript = `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}/`;
}

/**
 * The relay of a panel without a `url`: the one that served the script-tag
 * build, else the page's own host; '' when there is neither (a page without
 * a host: a file, a srcdoc frame).
 */
export function defaultRelayUrl(): string {
  if (fromScript) return fromScript;
  if (typeof location === 'undefined' || !location.host) return '';
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
}
