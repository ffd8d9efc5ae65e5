import { ContextRoot, createContext } from '@lit/context';
import type { MessageCenter } from '../bus/message-center.js';

/**
 * The context through which `<message-center-provider>` hands its bus to
 * descendants. The key is a registered symbol, not a fresh one, so elements
 * from a script-tag build and from an npm build on the same page find each
 * other's providers.
 */
export const messageCenterContext = createContext<MessageCenter>(Symbol.for('message-center.context'));

const ROOT_KEY = Symbol.for('message-center.context-root');

type WithRoot = Document & { [ROOT_KEY]?: ContextRoot };

/**
 * Attaches one ContextRoot to the document (once per page, whichever copy of
 * the package gets there first). It holds the requests of consumers that
 * connected before their provider was defined and replays them when a
 * provider appears, so script order and lazy registration do not matter.
 */
export function ensureContextRoot(doc: Document = document): void {
  const target = doc as WithRoot;
  if (target[ROOT_KEY]) return;
  const root = new ContextRoot();
  root.attach(doc.documentElement);
  target[ROOT_KEY] = root;
}
