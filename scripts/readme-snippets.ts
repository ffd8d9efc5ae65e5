// The README's code blocks, for the tests that run them as printed
// (test/node/readme.test.ts in this repository, scripts/consumer-test.ts
// against the packed tarball): a stale snippet fails a test.
import { readFileSync } from 'node:fs';

export interface Snippet {
  /** The fence's language: `html`, `ts`, `sh`, … (empty when it names none). */
  lang: string;
  code: string;
}

const README = new URL('../README.md', import.meta.url);

/** The fenced code blocks of README.md under `heading` (as written, e.g. `### One script tag`), in order. */
export function readmeSnippets(heading: string, readme = readFileSync(README, 'utf8')): Snippet[] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no heading "${heading}"`);
  const rest = readme.slice(start + heading.length + 2);
  const section = rest.slice(0, rest.search(/\n#{1,3} /) >>> 0 || rest.length);
  return [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((match) => ({ lang: match[1]!, code: match[2]! }));
}

/** The one block of `lang` under `heading` that `test` picks, or an error naming what is missing. */
export function readmeSnippet(heading: string, lang: string, test: (code: string) => boolean = () => true): string {
  const found = readmeSnippets(heading).filter((block) => block.lang === lang && test(block.code));
  if (found.length === 0) throw new Error(`README.md has no matching ${lang} block under "${heading}"`);
  return found[0]!.code;
}
