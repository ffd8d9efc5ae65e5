import type { ChatMessage } from '../../client/types.js';

/**
 * The peer ids a message mentions. Read through here, not as a field of
 * ChatMessage, until the wire carries `mentions` (issue 17, item 6): a
 * message that names none mentions nobody.
 */
export const mentionsOf = (message: ChatMessage): readonly string[] => {
  const mentions = (message as { readonly mentions?: unknown }).mentions;
  return Array.isArray(mentions) ? mentions : [];
};

/** Whether `message` mentions the session `selfId` (undefined: not yet welcomed, so nobody). */
export const mentions = (message: ChatMessage, selfId: string | undefined): boolean =>
  selfId !== undefined && mentionsOf(message).includes(selfId);
