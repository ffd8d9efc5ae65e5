import { fixture, html } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import type { WsChatPanel } from '../../src/elements/ws-chat-panel/ws-chat-panel.js';
import type { ChatStatus } from '../../src/client/types.js';
import { waitFor } from './wait.js';

export interface RelayInfo {
  id: string;
  url: string;
  port: number;
  epoch: string;
}

export const startRelay = (options: object = {}) => executeServerCommand<RelayInfo, object>('relay-start', { options });
export const relayCommand = <T = unknown>(command: 'stop' | 'restart' | 'resume' | 'drop' | 'stats', id: string, extra: object = {}) =>
  executeServerCommand<T, object>(`relay-${command}`, { id, ...extra });

export const shadow = (panel: WsChatPanel) => panel.shadowRoot!;

export async function waitForStatus(panel: WsChatPanel, status: ChatStatus, timeout = 5000): Promise<void> {
  await waitFor(() => panel.status === status, `${panel.userName || 'panel'} to be ${status} (is ${panel.status})`, timeout);
  await panel.updateComplete;
}

/** Ada's and Bob's panels side by side on this page, on the relay at `url`, both online. */
export async function adaAndBob(url: string): Promise<[WsChatPanel, WsChatPanel]> {
  const root = await fixture<HTMLElement>(html`
    <div>
      <ws-chat-panel url=${url} user-name="Ada"></ws-chat-panel>
      <ws-chat-panel url=${url} user-name="Bob"></ws-chat-panel>
    </div>
  `);
  const panels = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
  for (const panel of panels) await waitForStatus(panel, 'online');
  return panels;
}

/** Texts of the message bubbles on screen, in order. */
export function bubbles(panel: WsChatPanel): string[] {
  return [...shadow(panel).querySelectorAll('.bubble')].map((bubble) => bubble.textContent ?? '');
}

export async function waitForBubble(panel: WsChatPanel, text: string, timeout = 5000): Promise<void> {
  await waitFor(() => bubbles(panel).includes(text), `"${text}" on ${panel.userName}'s screen (has ${JSON.stringify(bubbles(panel))})`, timeout);
}

/** Types into the composer with the real keyboard and presses Enter. */
export async function typeAndSend(panel: WsChatPanel, text: string): Promise<void> {
  const input = shadow(panel).querySelector('textarea')!;
  input.focus();
  await sendKeys({ type: text });
  await sendKeys({ press: 'Enter' });
  await panel.updateComplete;
}

/** Clicks the roster entry of `name` (selects or unselects them as a recipient). */
export async function toggleRecipient(panel: WsChatPanel, name: string): Promise<void> {
  await panel.updateComplete;
  const button = [...shadow(panel).querySelectorAll<HTMLButtonElement>('.peer')].find((peer) =>
    peer.querySelector('.peer-name')?.textContent?.trim().startsWith(name),
  );
  if (!button) throw new Error(`no roster entry for ${name}`);
  button.click();
  await panel.updateComplete;
}
