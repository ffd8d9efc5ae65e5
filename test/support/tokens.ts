import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

/** The shared secret of test relays with `jwtSecret` (HS256 needs 32 bytes or more). */
export const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

/** An HS256 token for `claims`, valid for `ttl` seconds (negative: already expired). */
export async function hs256(claims: JWTPayload, options: { secret?: string; ttl?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (options.ttl ?? 60))
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** An HS256 token holding exactly `claims`: no `iat` or `exp` added. */
export function hs256Exactly(claims: JWTPayload, secret = SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

/** Seconds since the epoch, now: for `iat`, `nbf` and `exp` claims. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A token with `alg: none`: what a forger sends. */
export function unsigned(claims: JWTPayload): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, exp: Math.floor(Date.now() / 1000) + 60 })}.`;
}

/**
 * An identity provider on loopback: an ES256 key pair whose public half it
 * publishes as a JWKS, and a function that signs tokens with the private half.
 */
export async function jwksProvider(): Promise<{
  url: string;
  sign: (claims: JWTPayload) => Promise<string>;
  stop: () => Promise<void>;
  /** Requests for the JWKS so far. */
  readonly fetches: number;
}> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    sign: (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(privateKey),
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    get fetches() {
      return fetches;
    },
  };
}
