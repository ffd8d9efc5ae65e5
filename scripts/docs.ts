// Writes the parts of docs/ that are generated from the code, between
// `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` markers, so the
// reference cannot drift from what it describes: `npm run docs` (after a
// build; it reads dist/custom-elements.json). test/node/docs.test.ts fails
// when a generated part is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedSections } from './docs-sections.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');

/** `text` with every generated section of it replaced by what the code says now. */
export function regenerate(text: string, sections: Record<string, string>, file: string): string {
  return text.replace(/<!-- generated:([\w-]+) -->\n[\s\S]*?<!-- \/generated:\1 -->/g, (_, name: string) => {
    const body = sections[name];
    if (body === undefined) throw new Error(`${file}: no generator for the section "${name}"`);
    return `<!-- generated:${name} -->\n${body.trimEnd()}\n<!-- /generated:${name} -->`;
  });
}

/** Every docs file with generated sections, as it is and as it should be. */
export async function docsFiles(): Promise<Array<{ file: string; current: string; expected: string }>> {
  const sections = await generatedSections(root);
  return ['docs/panel.md', 'docs/relay.md'].map((file) => {
    const current = readFileSync(resolve(root, file), 'utf8');
    return { file, current, expected: regenerate(current, sections, file) };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { file, current, expected } of await docsFiles()) {
    if (current === expected) continue;
    writeFileSync(resolve(root, file), expected);
    console.log(`docs: wrote ${file}`);
  }
}
