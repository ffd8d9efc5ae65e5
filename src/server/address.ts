import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyAddr from 'proxy-addr';
import type { RelayServerOptions } from './options.js';

type Trust = (address: string, hop: number) => boolean;

/** Compiles the `trustProxy` option into proxy-addr's trust function. */
export function compileTrust(option: RelayServerOptions['trustProxy']): Trust {
  if (option === undefined || option === false) return () => false;
  if (option === true) return () => true;
  if (typeof option === 'number') return (_address, hop) => hop < option;
  return proxyAddr.compile(typeof option === 'string' ? option.split(',').map((s) => s.trim()) : [...option]);
}

/** '::ffff:10.0.0.1' → '10.0.0.1': an IPv4 client on a dual-stack socket is shown as IPv4. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/**
 * The client's address: the socket's, or the one trusted proxies report in
 * X-Forwarded-For. A forwarded value that is not an IP address is not
 * believed: the socket's address is used instead.
 */
export function clientAddress(request: IncomingMessage, trust: Trust): string {
  const forwarded = proxyAddr(request, trust);
  return normalizeAddress(isIP(forwarded) ? forwarded : request.socket.remoteAddress);
}
