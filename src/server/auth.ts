import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { CloseReason } from '../protocol/constants.js';
import type { Peer } from '../protocol/frames.js';
import { cleanName, guestName } from './names.js';

/** Who a connection is, as your login system says: the relay takes it instead of what the client asks for. */
export interface Identity {
  /** Your system's id for the user (a JWT's `sub`). Never sent to other clients. */
  readonly userId: string;
  /**
   * The display name others see (cleaned as any name is). Without one (or
   * with nothing visible in it) the user gets a `guest-…` name made from a
   * keyed hash of the user id: the same for every connection of the user,
   * and telling nothing about the id.
   */
  readonly name?: string;
  /**
   * The rooms the user may enter (a JWT's `rooms` claim); `"*"` among them
   * allows every room. Absent: any room (the relay's `authorize` hook, if
   * any, still decides).
   */
  readonly rooms?: readonly string[];
}

/** What the relay's `authorize` hook is asked: may this connection enter this room? */
export interface RoomRequest {
  readonly room: string;
  /** The connection as other clients see it (its address even while addresses are hidden). */
  readonly peer: Peer;
  /** With authentication: who its token says it is. */
  readonly identity?: Identity;
  /** Its network address. */
  readonly addr: string;
}

/**
 * Your own room rules, asked for every room a connection enters (in hello
 * and by `join`), after the token's `rooms` claim allowed it: true lets it
 * in; false, a throw or a rejection refuses it (`room_forbidden`).
 */
export type Authorize = (request: RoomRequest) => boolean | Promise<boolean>;

/**
 * Your own authentication: given the upgrade request (its URL with the
 * `token` query parameter, its headers, its cookies), return who it is, or
 * `null`/`undefined` to refuse it (4401 `unauthorized`). Throwing, or taking
 * longer than `authTimeout`, refuses it as "try again later" (1013
 * `auth_unavailable`): your identity provider is down, not the client's token.
 */
export type Authenticate = (request: IncomingMessage) => Identity | null | undefined | Promise<Identity | null | undefined>;

export interface AuthOptions {
  /** Verify an HS256 JWT with this shared secret (at least 32 bytes). */
  jwtSecret?: string;
  /** Verify a JWT signed with one of the keys published at this JWKS URL (RS256, ES256, EdDSA, …). */
  jwksUrl?: string;
  /** With jwtSecret or jwksUrl: the `iss` the token must carry. */
  jwtIssuer?: string;
  /** With jwtSecret or jwksUrl: an `aud` the token must carry. */
  jwtAudience?: string;
  /**
   * With jwtSecret or jwksUrl: accept tokens without `exp`, which never
   * expire (a leaked one works for ever). Default false: they are refused.
   */
  jwtAllowNoExpiry?: boolean;
  /** Your own authentication instead of a JWT. */
  authenticate?: Authenticate;
  /**
   * ms an authentication may take before the upgrade is refused with 1013
   * `auth_unavailable`; also how long an `authorize` answer may take before
   * the room is refused. Default 5000.
   */
  authTimeout?: number;
}

export type AuthResult =
  | { readonly ok: true; readonly identity: Identity }
  | {
      readonly ok: false;
      /** The close reason the client sees. */
      readonly reason:
        | typeof CloseReason.Unauthorized
        | typeof CloseReason.TokenExpired
        | typeof CloseReason.TokenNotYetValid
        | typeof CloseReason.AuthUnavailable;
      /** For the relay's log only: never sent to the client. */
      readonly detail: string;
    };

export type Authenticator = (request: IncomingMessage) => Promise<AuthResult>;

/** ms an authentication (and an `authorize` answer) may take, by default (`authTimeout`). */
export const DEFAULT_AUTH_TIMEOUT = 5000;

/** Seconds of clock difference tolerated between the relay and the token's issuer. */
const CLOCK_TOLERANCE_S = 30;
/** Asymmetric algorithms accepted from a JWKS: never `none`, never HS* (a public key must not become a shared secret). */
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** What a request's `Authorization` header says, for the relay. */
type Authorization =
  /** None, or one of another scheme (HTTP authentication in front of the relay, say): not the relay's. */
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly token: string }
  /** `Bearer` without exactly one token68: refused, never passed over for the query token. */
  | { readonly kind: 'malformed' };

// RFC 6750's b64token (token68): what a JWT is made of, dots included.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function authorizationOf(request: IncomingMessage): Authorization {
  const header = request.headers.authorization;
  if (header === undefined || !/^Bearer(?:\s|$)/i.test(header)) return { kind: 'none' };
  const bearer = BEARER.exec(header);
  return bearer ? { kind: 'bearer', token: bearer[1]! } : { kind: 'malformed' };
}

/**
 * The token a client presents: an `Authorization: Bearer` header (for
 * clients that can set one, such as Node's `ws`; it keeps the token out of
 * URLs and access logs), or else the `token` query parameter of the upgrade
 * URL (browsers cannot set headers on a WebSocket). `null`: a Bearer header
 * that holds no usable token, which refuses the connection.
 */
export function tokenOf(request: IncomingMessage): string | undefined | null {
  const authorization = authorizationOf(request);
  if (authorization.kind === 'bearer') return authorization.token;
  if (authorization.kind === 'malformed') return null;
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  if (query < 0) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get('token') || undefined;
}

/** Identity from verified JWT claims: the user is `sub`; the name is `name`, else `preferred_username`; the rooms are `rooms`. */
function identityFromClaims(payload: JWTPayload): Identity | undefined {
  if (typeof payload.sub !== 'string' || payload.sub === '') return undefined;
  const claimed = [payload.name, payload.preferred_username].find((value) => typeof value === 'string' && cleanName(value) !== '');
  return { userId: payload.sub, ...(typeof claimed === 'string' ? { name: claimed } : {}), ...roomsClaim(payload.rooms) };
}

/**
 * A `rooms` claim as the identity keeps it. A claim that is not a list of
 * strings allows no room: a token that tries to say something about rooms
 * never gets more than it says.
 */
function roomsClaim(claim: unknown): { rooms?: readonly string[] } {
  if (claim === undefined) return {};
  return { rooms: Array.isArray(claim) ? claim.filter((room): room is string => typeof room === 'string') : [] };
}

/** Whether the identity's `rooms` claim lets it into `room` (no identity, or no claim: yes). */
export function claimAllows(identity: Identity | undefined, room: string): boolean {
  const rooms = identity?.rooms;
  return rooms === undefined || rooms.includes(room) || rooms.includes('*');
}

/** A token that is not valid yet: its `nbf` or `iat` is ahead of the relay's clock by more than the skew allowed. */
function isFromTheFuture(error: unknown): boolean {
  return error instanceof errors.JWTClaimValidationFailed && error.reason === 'check_failed' && (error.claim === 'nbf' || error.claim === 'iat');
}

/** A jose failure that says the token is bad, as opposed to the relay being unable to check it. */
function isTokenFault(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return false;
  return !(error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === 'ERR_JOSE_GENERIC');
}

function jwtAuthenticator(options: AuthOptions): Authenticate | undefined {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.jwtSecret !== undefined) {
    key = new TextEncoder().encode(options.jwtSecret);
    algorithms = ['HS256'];
  } else if (options.jwksUrl !== undefined) {
    key = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: Math.min(DEFAULT_AUTH_TIMEOUT, options.authTimeout ?? DEFAULT_AUTH_TIMEOUT) });
    algorithms = JWKS_ALGORITHMS;
  } else {
    return undefined;
  }
  return async (request) => {
    const token = tokenOf(request);
    if (!token) return null;
    const { payload } = await jwtVerify(token, key as Uint8Array, {
      algorithms,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: options.jwtAllowNoExpiry ? [] : ['exp'],
      ...(options.jwtIssuer !== undefined ? { issuer: options.jwtIssuer } : {}),
      ...(options.jwtAudience !== undefined ? { audience: options.jwtAudience } : {}),
    });
    // jose checks that `iat` is not in the future only with maxTokenAge,
    // which would make `iat` required: a token issued "later" is refused here.
    if (typeof payload.iat === 'number' && payload.iat > Math.floor(Date.now() / 1000) + CLOCK_TOLERANCE_S) {
      throw new errors.JWTClaimValidationFailed('"iat" claim timestamp check failed (it should be in the past)', payload, 'iat', 'check_failed');
    }
    const identity = identityFromClaims(payload);
    if (!identity) throw new errors.JWTClaimValidationFailed('the token has no "sub" claim', payload, 'sub', 'missing');
    return identity;
  };
}

/**
 * The relay's authentication, or undefined when it has none (anyone may
 * connect and pick a name). Never throws: every outcome is an AuthResult.
 */
export function createAuthenticator(options: AuthOptions): Authenticator | undefined {
  const check = options.authenticate ?? jwtAuthenticator(options);
  if (!check) return undefined;
  const timeout = options.authTimeout ?? DEFAULT_AUTH_TIMEOUT;
  const name = displayNamer(options);
  return async (request) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const identity = await Promise.race([
        Promise.resolve().then(() => check(request)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`authentication took longer than ${timeout} ms`)), timeout);
          timer.unref();
        }),
      ]);
      if (!identity) return { ok: false, reason: CloseReason.Unauthorized, detail: refusalDetail(request) };
      if (typeof identity.userId !== 'string' || identity.userId === '') {
        return { ok: false, reason: CloseReason.AuthUnavailable, detail: 'authenticate() returned an identity without a userId' };
      }
      return { ok: true, identity: { userId: identity.userId, name: name(identity), ...roomsClaim(identity.rooms) } };
    } catch (error) {
      const detail = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
      if (error instanceof errors.JWTExpired) return { ok: false, reason: CloseReason.TokenExpired, detail };
      if (options.authenticate === undefined && isFromTheFuture(error)) return { ok: false, reason: CloseReason.TokenNotYetValid, detail };
      if (options.authenticate === undefined && isTokenFault(error)) return { ok: false, reason: CloseReason.Unauthorized, detail };
      return { ok: false, reason: CloseReason.AuthUnavailable, detail };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Why a request was refused without a token to check, for the log. */
function refusalDetail(request: IncomingMessage): string {
  const token = tokenOf(request);
  if (token === null) return 'an Authorization: Bearer header without a usable token';
  if (token !== undefined) return 'refused';
  return request.headers.authorization === undefined ? 'no token' : 'no token (an Authorization header of another scheme than Bearer is not read)';
}

/**
 * Display names for identities: the name, cleaned; else a `guest-…` name
 * from an HMAC of the user id. Its key comes from the JWT secret when there
 * is one, so every relay sharing the secret (restarts, cluster nodes) gives
 * a user the same name; else it is random, per process.
 */
function displayNamer(options: AuthOptions): (identity: Identity) => string {
  const key =
    options.jwtSecret !== undefined
      ? createHmac('sha256', options.jwtSecret).update('message-center guest names').digest()
      : randomBytes(32);
  return (identity) =>
    (typeof identity.name === 'string' ? cleanName(identity.name) : '') || guestName(createHmac('sha256', key).update(identity.userId).digest());
}

/** The display name for an identity admission control let in (it always has one); '' lets the relay pick a guest name. */
export function displayName(identity: Identity): string {
  return cleanName(identity.name);
}

/** Refuses options that cannot work together, naming the conflict. */
export function validateAuthOptions(options: AuthOptions): void {
  const schemes = [options.jwtSecret !== undefined, options.jwksUrl !== undefined, options.authenticate !== undefined].filter(Boolean);
  if (schemes.length > 1) {
    throw new TypeError('createRelayServer: give one of `jwtSecret`, `jwksUrl` or `authenticate`, not several');
  }
  if (options.jwtSecret !== undefined && (typeof options.jwtSecret !== 'string' || Buffer.byteLength(options.jwtSecret) < 32)) {
    throw new TypeError('createRelayServer: jwtSecret must be at least 32 bytes (HS256 needs a key as long as its hash)');
  }
  if (options.jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.jwksUrl);
    } catch {
      throw new TypeError(`createRelayServer: jwksUrl must be an absolute URL, got ${JSON.stringify(options.jwksUrl)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TypeError(`createRelayServer: jwksUrl must be an http(s) URL, got ${JSON.stringify(options.jwksUrl)}`);
    }
  }
  if ((options.jwtIssuer !== undefined || options.jwtAudience !== undefined) && options.jwtSecret === undefined && options.jwksUrl === undefined) {
    throw new TypeError('createRelayServer: `jwtIssuer` and `jwtAudience` need `jwtSecret` or `jwksUrl`');
  }
  if (options.jwtAllowNoExpiry !== undefined && typeof options.jwtAllowNoExpiry !== 'boolean') {
    throw new TypeError(`createRelayServer: jwtAllowNoExpiry must be a boolean, got ${String(options.jwtAllowNoExpiry)}`);
  }
  if (options.jwtAllowNoExpiry && options.jwtSecret === undefined && options.jwksUrl === undefined) {
    throw new TypeError('createRelayServer: `jwtAllowNoExpiry` needs `jwtSecret` or `jwksUrl` (it is about JWTs)');
  }
  if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
    throw new TypeError('createRelayServer: authenticate must be a function (request) => identity | null');
  }
  if (options.authTimeout !== undefined && !(Number.isInteger(options.authTimeout) && options.authTimeout > 0)) {
    throw new TypeError(`createRelayServer: authTimeout must be a positive integer, got ${String(options.authTimeout)}`);
  }
}
