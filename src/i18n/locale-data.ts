import { en, type ChatStrings, type Explained, type Locale } from './strings.js';

type TextKey = { [K in keyof ChatStrings]: ChatStrings[K] extends string ? K : never }[keyof ChatStrings];
type TemplateKey = { [K in keyof ChatStrings]: ChatStrings[K] extends (...args: never[]) => string ? K : never }[keyof ChatStrings];
type Names<T extends readonly unknown[]> = { readonly [I in keyof T]: string };

/**
 * A text with `{name}` placeholders for the entry's parameters (numbers are
 * written as the language writes them), or texts chosen by one parameter:
 * `{ seconds: { '=0': 'Reconnecting…', other: 'Reconnecting in {seconds} s' } }`.
 * A case `=VALUE` matches that value exactly (`=` alone: the empty string), a
 * plural category (`one`, `few`, … of Intl.PluralRules) a number in it, and
 * `other` anything else.
 */
export type Template = string | { readonly [parameter: string]: { readonly other: string; readonly [match: string]: string } };

/**
 * A language's strings as data, which JSON can carry: the script bundle
 * fetches them (dist/locales/NAME.json) and compiles them. Missing entries
 * are English.
 */
export type LocaleData = { readonly [K in TextKey]?: string } & { readonly [K in TemplateKey]?: Template } & {
  readonly errors?: Readonly<Explained>;
};

/**
 * The parameter names of each entry that takes some, in order: what a
 * template's placeholders and cases name. The compiler holds each list to
 * its entry's arity.
 */
const PARAMETERS: { readonly [K in TemplateKey]: Names<Parameters<ChatStrings[K]>> } = {
  statusReconnecting: ['seconds'],
  onlineCount: ['count'],
  rosterLabel: ['title', 'userName'],
  removeRecipient: ['name'],
  sendPrivatelyTo: ['name'],
  recipientsAway: ['names'],
  recipientsUnreachable: ['names'],
  privateTo: ['names'],
  lengthUsed: ['percent'],
  tooLong: ['characters'],
  cannotConnect: ['url'],
  newMessages: ['count'],
  joined: ['name'],
  left: ['name'],
  failed: ['reason'],
  readBy: ['count', 'names'],
  readersMore: ['count'],
  showMore: ['hidden'],
  unreadCount: ['count'],
  notifyPrivate: ['name'],
  notifyMention: ['name'],
  typing: ['names', 'count'],
  typingPrivately: ['name'],
};

/**
 * The `ChatStrings` of `data` (a locale module's default export, or its
 * JSON as the build wrote it: the script bundle checks the file's hash, so
 * the shape is the one the compiler checked), over English.
 */
export function compileLocale(data: LocaleData, locale: Locale): ChatStrings {
  const plurals = new Intl.PluralRules(locale);
  const fill = (text: string, names: readonly string[], args: readonly unknown[]) =>
    text.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
      const index = names.indexOf(name);
      const value = args[index];
      return index < 0 ? placeholder : typeof value === 'number' ? value.toLocaleString(locale) : String(value);
    });
  const strings: Record<string, unknown> = { ...en, ...data, errors: { ...en.errors, ...data.errors } };
  for (const [key, names] of Object.entries(PARAMETERS) as [TemplateKey, readonly string[]][]) {
    const value = data[key];
    if (typeof value === 'string') strings[key] = (...args: unknown[]) => fill(value, names, args);
    else if (value) {
      const [name, cases] = Object.entries(value)[0]!;
      const index = names.indexOf(name);
      strings[key] = (...args: unknown[]) => {
        const arg = args[index];
        return fill(cases[`=${String(arg)}`] ?? (typeof arg === 'number' ? cases[plurals.select(arg)] : undefined) ?? cases.other, names, args);
      };
    }
  }
  return strings as unknown as ChatStrings;
}
