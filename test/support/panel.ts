import { fixture, html } from '@open-wc/testing';
import { ifDefined } from 'lit/directives/if-defined.js';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import type { WsChatPanel } from '../../src/elements/ws-chat-panel/ws-chat-panel.js';
import type { ChatStatus } from '../../src/client/types.js';
import { DEADLINE_MS, waitFor } from './wait.js';

export interface RelayInfo {
  id: string;
  url: string;
  port: number;
  epoch: string;
}

export const startRelay = (options: object = {}) => executeServerCommand<RelayInfo, object>('relay-start', { options });
export const relayCommand = <T = unknown>(command: 'stop' | 'restart' | 'resume' | 'drop' | 'stats', id: string, extra: object = {}) =>
  executeServerCommand<T, object>(`relay-${command}`, { id, ...extra });

/** A network path to the relay that the test can cut and restore (see BlackholeProxy). */
export const startProxy = (relay: RelayInfo) => executeServerCommand<{ id: string; url: string }, object>('proxy-start', { relay: relay.id });
export const proxyCommand = (command: 'cut' | 'restore' | 'hold' | 'release', id: string) => executeServerCommand<boolean, object>(`proxy-${command}`, { id });

/** A web server on its own port (another origin than the test page's); `putPage` gives it pages (or, with a `type`, other files). */
export const startPageServer = () => executeServerCommand<{ id: string; origin: string }, object>('page-start', {});
export const putPage = (id: string, path: string, html: string, type?: string) =>
  executeServerCommand<boolean, object>('page-put', { id, path, html, ...(type ? { type } : {}) });

/**
 * Opens `url` (a page on another origin) in a frame and collects what it
 * reports: the messages it posts to this page with `from` set to `from`.
 */
export function openReportingFrame<Report extends { kind: string }>(url: string, from: string) {
  const reports: Report[] = [];
  const listener = (event: MessageEvent) => {
    if (event.data?.from === from) reports.push(event.data as Report);
  };
  window.addEventListener('message', listener);
  const frame = document.createElement('iframe');
  frame.src = url;
  document.body.append(frame);
  return {
    reports,
    of: (kind: Report['kind']) => reports.filter((report) => report.kind === kind),
    close() {
      window.removeEventListener('message', listener);
      frame.remove();
    },
  };
}

export const shadow = (panel: WsChatPanel) => panel.shadowRoot!;

export async function waitForStatus(panel: WsChatPanel, status: ChatStatus, timeout = DEADLINE_MS): Promise<void> {
  await waitFor(() => panel.status === status, `${panel.userName || 'panel'} to be ${status} (is ${panel.status})`, timeout);
  await panel.updateComplete;
}

/**
 * Waits until `panel` shows Simplified Chinese (its built-in title, 聊天):
 * a language other than English loads after the panel first renders.
 */
export async function waitForChinese(panel: WsChatPanel, timeout = DEADLINE_MS): Promise<void> {
  const title = () => shadow(panel).querySelector('.title')?.textContent?.trim();
  await waitFor(() => title() === '聊天', () => `${panel.userName || 'panel'} to show Chinese (its title is "${title()}")`, timeout);
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

/** Languages and history of the two panels of `conversation`. */
export interface ConversationOptions {
  readonly adaLang?: string;
  readonly bobLang?: string;
  readonly adaHistory?: number;
}

/**
 * Ada's and Bob's panels, 420px wide side by side under one provider, on a
 * relay of their own: online, each in the other's roster, and in their
 * language.
 */
export async function conversation(options: ConversationOptions = {}): Promise<{ ada: WsChatPanel; bob: WsChatPanel }> {
  const relay = await startRelay();
  const root = await fixture<HTMLElement>(html`
    <message-center-provider style="display:flex;gap:16px">
      <ws-chat-panel url=${relay.url} user-name="Ada" lang=${ifDefined(options.adaLang)} history=${ifDefined(options.adaHistory)} style="width:420px"></ws-chat-panel>
      <ws-chat-panel url=${relay.url} user-name="Bob" lang=${ifDefined(options.bobLang)} style="width:420px"></ws-chat-panel>
    </message-center-provider>
  `);
  const [ada, bob] = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
  for (const panel of [ada, bob]) await waitForStatus(panel, 'online');
  if (options.adaLang?.startsWith('zh')) await waitForChinese(ada);
  if (options.bobLang?.startsWith('zh')) await waitForChinese(bob);
  await waitFor(() => ada.roster.length === 2 && bob.roster.length === 2, 'both online');
  return { ada, bob };
}

/** Texts of the message bubbles on screen, in order. */
export function bubbles(panel: WsChatPanel): string[] {
  return [...shadow(panel).querySelectorAll('.bubble')].map((bubble) => bubble.textContent ?? '');
}

export async function waitForBubble(panel: WsChatPanel, text: string, timeout = DEADLINE_MS): Promise<void> {
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

/** Adds a panel to `root` (as a script does: element, properties, then into the page). */
export function addPanel(root: HTMLElement, url: string, name: string): WsChatPanel {
  const panel = document.createElement('ws-chat-panel');
  panel.url = url;
  panel.userName = name;
  root.append(panel);
  return panel;
}

/** Presses Enter in the composer, as the writer does to send. */
export async function pressEnter(panel: WsChatPanel): Promise<void> {
  shadow(panel).querySelector('textarea')!.focus();
  await sendKeys({ press: 'Enter' });
  await panel.updateComplete;
}

/** The names in the panel's roster, sorted. */
export const rosterNames = (panel: WsChatPanel) => panel.roster.map((peer) => peer.name).sort();
