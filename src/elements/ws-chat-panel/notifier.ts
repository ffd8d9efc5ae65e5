/** The browser's answer about desktop notifications, or `unsupported` where there is no Notification API (or no secure context). */
export type NotifyPermission = NotificationPermission | 'unsupported';

export interface DesktopNotification {
  readonly title: string;
  readonly body: string;
  /** One per conversation: a new one replaces the last instead of stacking. */
  readonly tag: string;
  /** The person clicked it. */
  readonly click: () => void;
}

/** The one place the panel touches the Notification API. */
export interface Notifier {
  readonly permission: NotifyPermission;
  /** Asks the person; call it only from their gesture (a click). */
  request(): Promise<NotifyPermission>;
  show(notification: DesktopNotification): void;
}

/** Notification bodies are this long at most (longer text ends in "…"). */
export const MAX_BODY = 140;

export const truncate = (text: string, max = MAX_BODY): string => {
  const characters = [...text.replace(/\s+/g, ' ').trim()];
  return characters.length <= max ? characters.join('') : `${characters.slice(0, max - 1).join('').trimEnd()}…`;
};

// Looked up on each use, not at load: a page (or test) that installs or wraps the API later is honoured.
const api = (): typeof Notification | undefined =>
  typeof globalThis.Notification === 'function' && globalThis.isSecureContext !== false ? globalThis.Notification : undefined;

/** The browser's Notification API. */
export const browserNotifier: Notifier = {
  get permission() {
    return api()?.permission ?? 'unsupported';
  },
  async request() {
    const Api = api();
    return Api ? Api.requestPermission() : 'unsupported';
  },
  show({ title, body, tag, click }) {
    const Api = api();
    if (Api?.permission !== 'granted') return;
    try {
      const shown = new Api(title, { body: truncate(body), tag, renotify: true } as NotificationOptions);
      shown.onclick = () => {
        click();
        shown.close();
      };
    } catch {
      // Chrome on Android allows notifications only from a service worker: then there are none.
    }
  },
};
