// The generated sections of docs/, by name (see scripts/docs.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OPTION_DECLARATIONS, type OptionDeclaration } from '../src/server/option-declarations.js';

interface CemMember {
  kind: 'field' | 'method';
  name: string;
  privacy?: 'public' | 'private' | 'protected';
  static?: boolean;
  readonly?: boolean;
  type?: { text: string };
  default?: string;
  attribute?: string;
  description?: string;
  parameters?: Array<{ name: string; optional?: boolean; type?: { text: string } }>;
  return?: { type?: { text: string } };
}
interface CemNamed {
  name: string;
  description?: string;
  type?: { text: string };
}
interface CemElement {
  tagName?: string;
  members?: CemMember[];
  events?: CemNamed[];
  cssParts?: CemNamed[];
  cssProperties?: Array<CemNamed & { default?: string }>;
  slots?: CemNamed[];
}

/** One line of a Markdown table cell: no pipes or line breaks inside. */
const cell = (text: string | undefined): string => (text ?? '').replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();
const code = (text: string | undefined): string => (text ? `\`${cell(text)}\`` : '');

function element(root: string, tagName: string): CemElement {
  const manifest = JSON.parse(readFileSync(resolve(root, 'dist/custom-elements.json'), 'utf8')) as {
    modules: Array<{ declarations?: CemElement[] }>;
  };
  const found = manifest.modules.flatMap((module) => module.declarations ?? []).find((d) => d.tagName === tagName);
  if (!found) throw new Error(`dist/custom-elements.json has no <${tagName}>: run npm run build`);
  return found;
}

const isPublic = (member: CemMember) => !member.static && (member.privacy ?? 'public') === 'public';

function panelSections(root: string): Record<string, string> {
  const panel = element(root, 'ws-chat-panel');
  const members = (panel.members ?? []).filter(isPublic);
  const settable = members.filter((m) => m.kind === 'field' && !m.readonly);
  const readonly = members.filter((m) => m.kind === 'field' && m.readonly);
  const methods = members.filter((m) => m.kind === 'method');
  const signature = (m: CemMember) =>
    `${m.name}(${(m.parameters ?? []).map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.type?.text ?? 'unknown'}`).join(', ')}): ${m.return?.type?.text ?? 'void'}`;
  return {
    'panel-properties': [
      '| Attribute | Property | Type | Default | |',
      '|---|---|---|---|---|',
      ...settable.map((m) => `| ${code(m.attribute)} | ${code(m.name)} | ${code(m.type?.text)} | ${code(m.default)} | ${cell(m.description)} |`),
    ].join('\n'),
    'panel-readonly': [
      '| Property | Type | |',
      '|---|---|---|',
      ...readonly.map((m) => `| ${code(m.name)} | ${code(m.type?.text)} | ${cell(m.description)} |`),
    ].join('\n'),
    'panel-methods': ['| Method | |', '|---|---|', ...methods.map((m) => `| ${code(signature(m))} | ${cell(m.description)} |`)].join('\n'),
    'panel-events': [
      '| DOM event | Bus event | Event class | |',
      '|---|---|---|---|',
      ...(panel.events ?? []).map(
        (e) => `| ${code(e.name)} | ${code(e.name.replace(/^ws-chat-/, 'chat:'))} | ${code(e.type?.text)} | ${cell(e.description)} |`,
      ),
    ].join('\n'),
    'panel-parts': ['| Part | |', '|---|---|', ...(panel.cssParts ?? []).map((p) => `| ${code(p.name)} | ${cell(p.description)} |`)].join('\n'),
    'panel-css-properties': [
      '| Custom property | |',
      '|---|---|',
      ...(panel.cssProperties ?? []).map((p) => `| ${code(p.name)} | ${cell(p.description)} |`),
    ].join('\n'),
    'panel-slots': ['| Slot | |', '|---|---|', ...(panel.slots ?? []).map((s) => `| ${code(s.name)} | ${cell(s.description)} |`)].join('\n'),
  };
}

/** A declaration's default, as the options table shows it. */
function optionDefault(d: OptionDeclaration): string {
  if (d.cliDefault !== undefined) return `${d.cliDefault} (CLI)`;
  if (typeof d.default === 'number') return String(d.default);
  if (d.default !== undefined) return code(d.default);
  return cell(d.defaultText);
}

/** The relay's options table (docs/relay.md), one row per declared option; the CLI's own --help is left to --help. */
export function relayOptionsTable(declarations: readonly OptionDeclaration[] = OPTION_DECLARATIONS): string {
  const documented = declarations.filter((d) => d.option !== undefined || d.alsoSets !== undefined);
  return [
    '| Flag | Option | Environment | Default | |',
    '|---|---|---|---|---|',
    ...documented.map((d) => {
      const flag = d.flag !== undefined ? `\`--${d.flag}\`${d.repeatable ? ' (repeatable)' : ''}` : '';
      const options = [...(d.option !== undefined ? [d.option] : []), ...(d.alsoSets ?? [])].map((o) => `\`${o}\``).join(', ');
      return `| ${flag} | ${options} | ${code(d.env)} | ${optionDefault(d)} | ${cell(d.description)} |`;
    }),
  ].join('\n');
}

export async function generatedSections(root: string): Promise<Record<string, string>> {
  return { ...panelSections(root), 'relay-options': relayOptionsTable() };
}
