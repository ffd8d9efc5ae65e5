import type { ElementContext } from 'axe-core';
import { AXE_OPTIONS, axeFindingsOf } from './axe-findings.js';

declare global {
  interface Window {
    axe?: typeof import('axe-core');
  }
}

/**
 * Runs axe-core in this page on `context` (see AXE_OPTIONS for the rules).
 * Page-level rules (one `main`, a level-one heading) need the whole document
 * as context and are left out for an element, as they are the page's
 * business, not the panel's. Returns what fails, one line per node.
 */
export async function axeFindings(context: ElementContext, state: string): Promise<string[]> {
  // The UMD build registers `window.axe` when loaded as a plain script.
  if (!window.axe) await import('axe-core');
  return axeFindingsOf(await window.axe!.run(context, AXE_OPTIONS), state);
}
