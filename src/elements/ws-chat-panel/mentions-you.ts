import type { ChatMessage } from '../../client/types.js';

/** Whether `message` mentions the session `selfId` (undefined: not welcomed yet, so nobody). */
export const mentionsYou = (message: ChatMessage, selfId: string | undefined): boolean =>
  selfId !== undefined && (message.mentions?.includes(selfId) ?? false);
