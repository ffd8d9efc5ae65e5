import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { CloseCode, CloseReason } from '../protocol/constants.js';
import { clientAddress, compileTrust } from './address.js';
import { createAuthenticator, type Authenticator, type Identity } from './auth.js';
import type { ResolvedOptions } from './options.js';
import { compileOriginCheck, type OriginCheck } from './origin.js';
import { destroyOnError } from './socket-errors.js';

/**
 * What admission control decided about an upgrade, before the relay sees the socket:
 * let it in (with the identity its token proved, when there is
 * authentication), or refuse it with a close code and reason.
 */
export type Admission =
  | { readonly identity?: Identity }
  | { readonly refuse: { readonly code: number; readonly reason: string; readonly detail: string } };

const refuse = (code: number, reason: string, detail: string): Admission => ({ refuse: { code, reason, detail } });

/**
 * Who gets in: the page's origin, then the token. Refusals complete the
 * WebSocket upgrade and close at once with a documented code (the relay
 * does that), because a browser cannot see the HTTP status of a refused
 * upgrade, only a close code. Nothing from a refused client is read.
 */
export class AdmissionControl {
  private readonly originAllowed: OriginCheck;
  private readonly authenticate: Authenticator | undefined;
  private readonly trust: ReturnType<typeof compileTrust>;
  /** Upgrades waiting for their token to be checked, in all and per address: they hold sockets too. */
  private pending = 0;
  private readonly pendingFrom = new Map<string, number>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly logger: Logger,
  ) {
    this.originAllowed = compileOriginCheck(options.allowOrigins);
    this.authenticate = createAuthenticator(options.auth);
    this.trust = compileTrust(options.trustProxy);
  }

  /**
   * Decides about an upgrade and hands the outcome to `proceed`: at once
   * when there is no token to check, or once it is checked (the socket gets
   * an error handler meanwhile).
   */
  admit(request: IncomingMessage, socket: Duplex, proceed: (admission: Admission) => void): void {
    if (!this.originAllowed(request)) {
      proceed(refuse(CloseCode.Forbidden, CloseReason.OriginNotAllowed, `origin ${JSON.stringify(request.headers.origin)}`));
      return;
    }
    const authenticate = this.authenticate;
    if (!authenticate) {
      proceed({});
      return;
    }
    const addr = clientAddress(request, this.trust);
    const fromAddress = this.pendingFrom.get(addr) ?? 0;
    if (this.pending >= this.options.maxConnections) {
      proceed(refuse(CloseCode.TryAgainLater, CloseReason.ServerFull, 'too many authentications under way'));
      return;
    }
    if (fromAddress >= this.options.maxConnectionsPerAddress) {
      proceed(refuse(CloseCode.PolicyViolation, CloseReason.TooManyConnections, 'too many authentications under way from this address'));
      return;
    }
    this.pending += 1;
    this.pendingFrom.set(addr, fromAddress + 1);
    socket.on('error', destroyOnError);
    void authenticate(request).then((result) => {
      this.pending -= 1;
      const left = (this.pendingFrom.get(addr) ?? 1) - 1;
      if (left > 0) this.pendingFrom.set(addr, left);
      else this.pendingFrom.delete(addr);
      socket.off('error', destroyOnError);
      if (socket.destroyed) return; // the client gave up meanwhile
      if (result.ok) {
        proceed({ identity: result.identity });
        return;
      }
      const code = result.reason === CloseReason.AuthUnavailable ? CloseCode.TryAgainLater : CloseCode.Unauthorized;
      if (result.reason === CloseReason.AuthUnavailable) this.logger.error({ addr, detail: result.detail }, 'could not check a token');
      proceed(refuse(code, result.reason, result.detail));
    });
  }
}
