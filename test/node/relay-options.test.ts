// The relay's options are declared once (src/server/option-declarations.ts);
// the CLI's parser, its --help and the options table of docs/relay.md are made
// from that list. These fail when one of them, or the defaults
// createRelayServer() applies, disagrees with it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { relayOptionsTable } from '../../scripts/docs-sections.js';
import { helpText, parseArgsOptions, parseCommandLine, plainText, UsageError } from '../../src/server/cli-options.js';
import { OPTION_DECLARATIONS, type OptionDeclaration } from '../../src/server/option-declarations.js';
import { resolveOptions, type ResolvedOptions } from '../../src/server/options.js';

const withFlag = OPTION_DECLARATIONS.filter((d): d is OptionDeclaration & { flag: string } => d.flag !== undefined);

/** A value of the flag's kind, and the option it must become. */
function sample(d: OptionDeclaration & { flag: string }): { args: string[]; expected: unknown } {
  switch (d.type) {
    case 'boolean':
      return { args: [`--${d.flag}`], expected: d.value ?? true };
    case 'integer':
      return { args: [`--${d.flag}`, '1234'], expected: 1234 };
    case 'path':
      return { args: [`--${d.flag}`, 'some/folder'], expected: resolve('some/folder') };
    case 'trust':
      return { args: [`--${d.flag}`, '10.0.0.0/8, loopback'], expected: ['10.0.0.0/8', 'loopback'] };
    case 'string':
      return d.repeatable
        ? { args: [`--${d.flag}`, 'https://a.example', `--${d.flag}`, 'https://b.example'], expected: ['https://a.example', 'https://b.example'] }
        : { args: [`--${d.flag}`, 'some-value'], expected: 'some-value' };
    case 'json':
      return { args: [`--${d.flag}`, '{"*":{"maxAge":60000}}'], expected: { '*': { maxAge: 60000 } } };
    case 'function':
      throw new Error(`--${d.flag}: a function cannot be a flag`);
  }
}

/** Where resolveOptions() keeps a declared option. */
function resolvedValue(resolved: ResolvedOptions, option: string): unknown {
  const logWindow: Record<string, keyof ResolvedOptions['logWindow']> = { logMaxEntries: 'maxEntries', logMaxAge: 'maxAge', logMaxBytes: 'maxBytes' };
  if (option in logWindow) return resolved.logWindow[logWindow[option]!];
  return (resolved as unknown as Record<string, unknown>)[option];
}

describe('relay options, declared once', () => {
  it('declares every flag once, and every option a flag sets once per flag', () => {
    const flags = withFlag.map((d) => d.flag);
    assert.deepEqual(flags, [...new Set(flags)], 'no flag is declared twice');
    const envs = OPTION_DECLARATIONS.flatMap((d) => (d.env !== undefined ? [d.env] : []));
    assert.deepEqual(envs, [...new Set(envs)], 'no environment variable is declared twice');
    for (const d of OPTION_DECLARATIONS) {
      assert.ok(d.description.trim() !== '', `${d.flag ?? d.option} is described`);
      assert.ok(d.option !== undefined || d.flag !== undefined, 'each declaration has a flag or an option');
    }
  });

  it('parses each declared flag into its declared option', () => {
    assert.deepEqual(Object.keys(parseArgsOptions()), withFlag.map((d) => d.flag));
    for (const d of withFlag) {
      if (d.option === undefined) continue;
      const { args, expected } = sample(d);
      const { options } = parseCommandLine(args, {});
      assert.deepEqual((options as Record<string, unknown>)[d.option], expected, `${args.join(' ')} sets ${d.option}`);
    }
  });

  it('applies the CLI defaults, and only those, when no flag is given', () => {
    const { options, demo, help } = parseCommandLine([], {});
    const cliDefaults = Object.fromEntries(OPTION_DECLARATIONS.filter((d) => d.cliDefault !== undefined).map((d) => [d.option, d.cliDefault]));
    assert.deepEqual(options, cliDefaults);
    assert.deepEqual(cliDefaults, { port: 3001 });
    assert.equal(demo, false);
    assert.equal(help, false);
  });

  it('resolves each declared default as createRelayServer() applies it', () => {
    const resolved = resolveOptions({ port: 0 });
    const withDefault = OPTION_DECLARATIONS.filter((d) => d.default !== undefined);
    assert.ok(withDefault.length >= 14, 'the limits, the log window, the session ttl, the grace and the prefix have defaults');
    for (const d of withDefault) {
      assert.equal(resolvedValue(resolved, d.option!), d.default, `${d.option} defaults to ${d.default}`);
    }
  });

  it('reads a declared environment variable when its flag is not given, and only then', () => {
    const secret = 'x'.repeat(32);
    assert.equal(parseCommandLine([], { MESSAGE_CENTER_JWT_SECRET: secret }).options.jwtSecret, secret);
    assert.equal(parseCommandLine(['--jwt-secret', 'y'.repeat(32)], { MESSAGE_CENTER_JWT_SECRET: secret }).options.jwtSecret, 'y'.repeat(32));
    assert.equal(parseCommandLine([], { MESSAGE_CENTER_JWT_SECRET: '' }).options.jwtSecret, undefined, 'an empty secret is none');
    assert.equal(parseCommandLine(['--jwt-secret', ''], { MESSAGE_CENTER_JWT_SECRET: secret }).options.jwtSecret, undefined);
    // The boot id file matters only to a log on disk.
    assert.equal(parseCommandLine([], { MESSAGE_CENTER_BOOT_ID_FILE: '/tmp/boot' }).options.bootIdFile, undefined);
    assert.equal(parseCommandLine(['--data-dir', 'd'], { MESSAGE_CENTER_BOOT_ID_FILE: '/tmp/boot' }).options.bootIdFile, '/tmp/boot');
  });

  it('names the flag that is wrong', () => {
    assert.throws(() => parseCommandLine(['--port', 'eighty'], {}), (e: unknown) => e instanceof UsageError && /--port needs a whole number, got "eighty"/.test(e.message));
    assert.throws(() => parseCommandLine(['--burst', '-1'], {}), UsageError);
    assert.throws(() => parseCommandLine(['--no-such-flag'], {}), (e: unknown) => e instanceof UsageError && /no-such-flag/.test(e.message));
    assert.throws(() => parseCommandLine(['--expose-addresses', '--hide-addresses'], {}), /give --expose-addresses or --hide-addresses, not both/);
    assert.equal(parseCommandLine(['-h', '--port', 'eighty'], {}).help, true, '--help wins over what it would explain');
    assert.equal(parseCommandLine(['--demo'], {}).demo, true);
  });

  it('--help lists every flag with its value, its default and its description, and every variable', () => {
    const help = helpText();
    for (const d of withFlag) {
      const line = help.split('\n').find((l) => new RegExp(`^  (-\\w, )?--${d.flag}(\\s|$)`).test(l));
      assert.ok(line, `--help lists --${d.flag}`);
      if (d.arg !== undefined) assert.ok(line.includes(`--${d.flag} ${d.arg}`), `--help shows --${d.flag}'s value as ${d.arg}`);
      const text = help.replace(/\s+/g, ' ');
      assert.ok(text.includes(plainText(d.description).replace(/\s+/g, ' ')), `--help describes --${d.flag} as declared`);
      const fallback = d.cliDefault ?? d.default;
      if (fallback !== undefined) assert.ok(text.includes(`(default ${fallback})`), `--help gives --${d.flag}'s default ${fallback}`);
    }
    for (const d of OPTION_DECLARATIONS.filter((o) => o.env !== undefined)) {
      assert.match(help, new RegExp(`^  ${d.env}\\b`, 'm'), `--help lists ${d.env}`);
    }
    assert.ok(help.split('\n').every((line) => line.length <= 110), '--help fits a wide terminal');
  });

  it('docs/relay.md shows the table made from the declarations, one row for each option', () => {
    const doc = readFileSync(new URL('../../docs/relay.md', import.meta.url), 'utf8');
    const section = /<!-- generated:relay-options -->\n([\s\S]*?)\n<!-- \/generated:relay-options -->/.exec(doc);
    assert.ok(section, 'docs/relay.md has the generated options table');
    assert.equal(section[1], relayOptionsTable(), 'docs/relay.md is out of date: run npm run docs');
    const rows = section[1]!.split('\n').slice(2);
    for (const d of OPTION_DECLARATIONS.filter((o) => o.option !== undefined)) {
      assert.ok(
        rows.some((row) => row.includes(`\`${d.option}\``) && (d.flag === undefined || row.includes(`\`--${d.flag}\``))),
        `docs/relay.md has a row for ${d.flag !== undefined ? `--${d.flag} / ` : ''}${d.option}`,
      );
    }
  });
});
