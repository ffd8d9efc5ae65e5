// The CLI's flags, parsed, and its --help, both produced from OPTION_DECLARATIONS.
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OPTION_DECLARATIONS, type OptionDeclaration } from './option-declarations.js';
import type { RelayServerOptions } from './options.js';

/** A command line the CLI cannot run with; its message names the flag. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedCommandLine {
  /** What createRelayServer() gets from the flags and the environment. */
  options: RelayServerOptions;
  /** --demo: serve the demo page and wire in its controls. */
  demo: boolean;
  /** --help: print helpText() and start nothing. */
  help: boolean;
  /** --sri: print the script bundle's integrity value and start nothing. */
  sri: boolean;
}

type Flagged = OptionDeclaration & { flag: string };
const flagged = OPTION_DECLARATIONS.filter((d): d is Flagged => d.flag !== undefined);

/** node:util parseArgs's description of every declared flag. */
export function parseArgsOptions(declarations: readonly OptionDeclaration[] = OPTION_DECLARATIONS): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    declarations
      .filter((d): d is Flagged => d.flag !== undefined)
      .map((d) => [
        d.flag,
        {
          type: d.type === 'boolean' ? ('boolean' as const) : ('string' as const),
          ...(d.repeatable ? { multiple: true } : {}),
          ...(d.short !== undefined ? { short: d.short } : {}),
        },
      ]),
  );
}

function convert(declaration: OptionDeclaration, value: string | boolean | Array<string | boolean>, shownAs: string): unknown {
  switch (declaration.type) {
    case 'boolean':
      return declaration.value ?? true;
    case 'integer':
      if (!/^\d+$/.test(String(value))) throw new UsageError(`${shownAs} needs a whole number, got ${JSON.stringify(value)}`);
      return Number(value);
    case 'path':
      return resolve(String(value));
    case 'trust': {
      const text = String(value);
      if (text === 'true') return true;
      if (text === 'false') return false;
      if (/^\d+$/.test(text)) return Number(text);
      return text.split(',').map((part) => part.trim());
    }
    case 'string':
      return Array.isArray(value) ? value.map(String) : String(value);
    case 'json':
      try {
        return JSON.parse(String(value)) as unknown;
      } catch (error) {
        throw new UsageError(`${shownAs} needs JSON, got ${JSON.stringify(value)} (${(error as Error).message})`);
      }
    case 'function':
      throw new UsageError(`${shownAs} cannot be given on the command line`);
  }
}

/**
 * The relay's options from its command line and environment, as declared.
 * Throws a UsageError for an unknown flag, a value of the wrong kind, or two
 * flags that set one option both given.
 */
export function parseCommandLine(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedCommandLine {
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    values = parseArgs({ args: [...args], options: parseArgsOptions(), strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { options: {}, demo: false, help: true, sri: false };
  if (values.sri) return { options: {}, demo: false, help: false, sri: true };

  const options: Record<string, unknown> = {};
  const setBy = new Map<string, string>();
  for (const declaration of OPTION_DECLARATIONS) {
    const { option, flag, env: variable } = declaration;
    if (option === undefined) continue;
    let value = flag !== undefined ? values[flag] : undefined;
    let shownAs = `--${flag}`;
    if (variable !== undefined) {
      if (value === undefined && (declaration.envNeeds === undefined || values[declaration.envNeeds] !== undefined)) {
        value = env[variable];
        shownAs = variable;
      }
      // An empty secret (an unset variable in a compose file) is no secret.
      if (value === '') value = undefined;
    }
    if (value === undefined) {
      if (declaration.cliDefault !== undefined) options[option] = declaration.cliDefault;
      continue;
    }
    const other = setBy.get(option);
    if (other !== undefined) throw new UsageError(`give ${other} or ${shownAs}, not both`);
    setBy.set(option, shownAs);
    options[option] = convert(declaration, value, shownAs);
  }
  return { options: options as RelayServerOptions, demo: values.demo === true, help: false, sri: false };
}

/** A declaration's description for a terminal: without Markdown's marks, and without links to pages it cannot show. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/ \(\[[^\]]*\]\([^)]*\)\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '');
}

function defaultOf(declaration: OptionDeclaration): string | undefined {
  const value = declaration.cliDefault ?? declaration.default;
  if (value !== undefined) return `default ${value}`;
  if (declaration.defaultText !== undefined) return `default: ${plainText(declaration.defaultText)}`;
  return undefined;
}

const COLUMN = 33;
const WIDTH = 110;

/** `text` in lines of at most WIDTH, the first after `lead`, the others indented to COLUMN. */
function wrap(lead: string, text: string): string {
  const first = lead.length + 2 <= COLUMN ? lead.padEnd(COLUMN) : `${lead}  `;
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    if (line.length + word.length > WIDTH && line.trim() !== lead.trim()) {
      lines.push(line.trimEnd());
      line = ' '.repeat(COLUMN);
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return lines.join('\n');
}

/** The CLI's --help. */
export function helpText(): string {
  const flags = flagged.map((d) => {
    const name = `${d.short !== undefined ? `-${d.short}, ` : ''}--${d.flag}${d.arg !== undefined ? ` ${d.arg}` : ''}`;
    const repeatable = d.repeatable ? ' (repeatable)' : '';
    const described = plainText(d.description);
    const fallback = defaultOf(d);
    const env = d.env !== undefined ? `; or set ${d.env}` : '';
    return wrap(`  ${name}`, `${described}${repeatable}${env}${fallback !== undefined ? ` (${fallback})` : ''}`);
  });
  const variables = OPTION_DECLARATIONS.filter((d) => d.env !== undefined).map((d) => {
    const fallback = defaultOf(d);
    const described = d.flag !== undefined ? `as --${d.flag}` : `${plainText(d.description)}${fallback !== undefined ? ` (${fallback})` : ''}`;
    return wrap(`  ${d.env}`, described);
  });
  return [
    'Usage: message-center-relay [options]',
    '',
    'Starts the Message Center relay (in memory, or durable with --data-dir).',
    '',
    ...flags,
    '',
    'Environment:',
    ...variables,
    '',
  ].join('\n');
}
