import type { AxeResults, ElementContext, NodeResult, Result } from 'axe-core';

declare global {
  interface Window {
    axe?: typeof import('axe-core');
  }
}

/** Why axe left a contrast undecided: `bgOverlap`, `shortTextContent`, `bgImage`, … */
const reasonsOf = (node: NodeResult) => node.any.map((check) => (check.data as { messageKey?: string } | null)?.messageKey ?? 'unknown');

/**
 * Runs axe-core on `context` with its default rule set and target size: every
 * WCAG 2.0, 2.1 and 2.2 level A and AA rule that axe has (colour contrast
 * included) and its best practices, into open shadow roots. Page-level rules (one `main`, a level-one
 * heading) need the whole document as context and are left out, as they are
 * the page's business, not the panel's.
 *
 * Returns one line per failing node: what fails where, and why. Colour
 * contrast that axe could not decide counts as failing too: an undecided ratio
 * is no proof of AA (axe leaves one-letter text undecided when it measured it
 * too low, for one).
 */
export async function axeFindings(context: ElementContext, state: string): Promise<string[]> {
  // The UMD build registers `window.axe` when loaded as a plain script.
  if (!window.axe) await import('axe-core');
  const results: AxeResults = await window.axe!.run(context, {
    resultTypes: ['violations', 'incomplete'],
    // WCAG 2.2 AA's target size (2.5.8, 24 by 24 px or spaced as far) is off by default in axe.
    rules: { 'target-size': { enabled: true } },
  });
  const undecidedContrast = results.incomplete.filter((result) => result.id === 'color-contrast');
  const describe = (result: Result, verdict: (node: NodeResult) => string) =>
    result.nodes.map((node) => `${state}: ${result.id} (${verdict(node)}) at ${JSON.stringify(node.target)}: ${node.failureSummary ?? result.help}`);
  return [
    ...results.violations.flatMap((result) => describe(result, () => result.impact ?? 'violation')),
    ...undecidedContrast.flatMap((result) => describe(result, (node) => `undecided: ${reasonsOf(node).join(', ')}`)),
  ];
}
