import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatErrorDetail, ChatStatus, StatusDetail } from '../../client/types.js';
import type { ChatStrings } from '../../i18n/strings.js';
import { REFUSAL_REASONS } from '../../protocol/constants.js';

/** Failed connection attempts in a row after which the panel says it cannot reach the relay (it keeps trying). */
const UNREACHABLE_AFTER = 5;
const NO_URL = 'no_url';

/** The panel's own error when it has no relay to talk to (no `url`, and a page without a host to default to). */
export const noUrlError = (): ChatErrorDetail => ({
  code: NO_URL,
  message: 'no relay to connect to: set the url attribute (this page has no host to default to)',
});

/** The panel's own error when asked to send while it is not in a document (`removed`: it was in one before). */
export const notConnectedError = (removed: boolean): ChatErrorDetail => ({
  code: 'not_connected',
  message: removed
    ? 'the panel was removed from the document; it sends only while it is in one'
    : 'the panel has not been added to a document yet; add it, then send',
});

/**
 * The link to the relay as the panel shows it: the status, a countdown to
 * the next attempt (a timer that renders once a second while reconnecting,
 * stopped when the element is detached), and the error line under the
 * composer, which says why messages do not go. Trouble with the connection
 * (refused, nothing answering, no relay to talk to) stays until it is over;
 * a full outbox until a message goes.
 */
export class ConnectionStatusController implements ReactiveController {
  status: ChatStatus = 'offline';
  retryAt: number | undefined;
  /**
   * The error line under the composer, in the panel's language of the
   * moment (it may change while the line is shown); undefined when there is none.
   */
  error: ((t: ChatStrings) => string) | undefined;
  /** The error line is about the connection: it stays until that is over. */
  #trouble = false;
  #countdown: ReturnType<typeof setInterval> | undefined;

  readonly #host: ReactiveControllerHost;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.#stopCountdown();
  }

  /** Takes in a status change of the connection to `url`. */
  update(detail: StatusDetail, url: string): void {
    this.status = detail.status;
    this.retryAt = detail.retryAt;
    if (detail.status === 'online') this.troubleOver();
    if (detail.status === 'reconnecting' && detail.attempt >= UNREACHABLE_AFTER && !this.#trouble) {
      // Not refused, just nothing answering: say so rather than count down in silence.
      this.#showTrouble((t) => t.cannotConnect(withoutSecrets(url)));
    }
    if (detail.status !== 'reconnecting') this.#stopCountdown();
    else this.#countdown ??= setInterval(() => this.#host.requestUpdate(), 1000);
    this.#host.requestUpdate();
  }

  /** Shows what an error means for sending, if anything: the relay refused the connection, there is none to make, or the outbox is full. */
  report(detail: ChatErrorDetail): void {
    const text = (t: ChatStrings) => t.errors[detail.code] ?? detail.message;
    if (detail.code === 'outbox_full') {
      this.error = text;
      this.#host.requestUpdate();
    }
    if (REFUSAL_REASONS.has(detail.code) || detail.code === NO_URL) this.#showTrouble(text);
  }

  /** The trouble with the connection is over (online, or there is a relay to talk to now). */
  troubleOver(): void {
    if (!this.#trouble) return;
    this.#trouble = false;
    this.error = undefined;
    this.#host.requestUpdate();
  }

  /** A message went: an error about sending is over, trouble with the connection is not. */
  sent(): void {
    if (this.#trouble || !this.error) return;
    this.error = undefined;
    this.#host.requestUpdate();
  }

  #showTrouble(text: (t: ChatStrings) => string): void {
    this.#trouble = true;
    this.error = text;
    this.#host.requestUpdate();
  }

  #stopCountdown(): void {
    clearInterval(this.#countdown);
    this.#countdown = undefined;
  }
}

/** The relay's address fit to show: no query string (a token may travel there) and no credentials. */
function withoutSecrets(url: string): string {
  try {
    const parsed = new URL(url, location.href);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return url;
  }
}
