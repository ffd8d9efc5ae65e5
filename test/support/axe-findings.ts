// What counts as an accessibility finding, shared by the browser tests (axe
// run in the test page) and the Node tests (axe injected into a page that
// Playwright drives). No DOM here: it reads axe's results only.
import type { AxeResults, NodeResult, Result, RunOptions } from 'axe-core';

/**
 * axe-core's default rule set (every WCAG 2.0, 2.1 and 2.2 level A and AA rule
 * that axe has, colour contrast included, and its best practices, into open
 * shadow roots), plus WCAG 2.2 AA's target size (2.5.8), which axe leaves off
 * by default.
 */
export const AXE_OPTIONS: RunOptions = {
  resultTypes: ['violations', 'incomplete'],
  rules: { 'target-size': { enabled: true } },
};

/** Why axe left a contrast undecided: `bgOverlap`, `shortTextContent`, `bgImage`, … */
const reasonsOf = (node: NodeResult) => node.any.map((check) => (check.data as { messageKey?: string } | null)?.messageKey ?? 'unknown');

/**
 * One line per failing node: what fails where, and why. Colour contrast that
 * axe could not decide counts as failing too: an undecided ratio is no proof
 * of AA (axe leaves one-letter text undecided when it measured it too low, for
 * one).
 */
export function axeFindingsOf(results: Pick<AxeResults, 'violations' | 'incomplete'>, state: string): string[] {
  const describe = (result: Result, verdict: (node: NodeResult) => string) =>
    result.nodes.map((node) => `${state}: ${result.id} (${verdict(node)}) at ${JSON.stringify(node.target)}: ${node.failureSummary ?? result.help}`);
  return [
    ...results.violations.flatMap((result) => describe(result, () => result.impact ?? 'violation')),
    ...results.incomplete
      .filter((result) => result.id === 'color-contrast')
      .flatMap((result) => describe(result, (node) => `undecided: ${reasonsOf(node).join(', ')}`)),
  ];
}
