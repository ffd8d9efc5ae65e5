import type { ChatMessage } from '../../client/types.js';

/**
 * Whether `message` mentions the session `selfId` (undefined: not welcomed
 * yet, so nobody). Read as an optional field until the wire carries
 * `mentions` (issue 17, item 6); a message without it mentions nobody.
 */
export const mentionsYou = (message: ChatMessage, selfId: string | undefined): boolean => {
  const mentions = (message as { readonly mentions?: unknown }).mentions;
  return selfId !== undefined && Array.isArray(mentions) && mentions.includes(selfId);
};
