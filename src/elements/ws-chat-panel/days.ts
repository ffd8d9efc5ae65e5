import type { Locale } from '../../i18n/strings.js';

// Days as the reader lives them: calendar days in the user's time zone,
// named in the panel's language by Intl ("Today", "昨天", "Monday, 30
// November"), so no day or month name is in the panel's own strings.

/** A calendar day in the user's time zone, as a number that sorts as days do (y·10⁴ + m·10² + d). */
export function dayNumber(date: Date): number {
  return date.getFullYear() * 10_000 + date.getMonth() * 100 + date.getDate();
}

const days = new WeakMap<object, number>();

/** The day of `owner` (a message or notice), computed once per object: a log renders hundreds each frame. */
export function dayOf(owner: object, ts: number): number {
  let day = days.get(owner);
  if (day === undefined) days.set(owner, (day = dayNumber(new Date(ts))));
  return day;
}

/** Today, yesterday and this year, as `TodayController` keeps them. */
export interface Today {
  readonly today: number;
  readonly yesterday: number;
  readonly year: number;
}

/** One formatter per language and kind: making one costs more than formatting with it. */
const formats = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();
function format<F extends Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => F): F {
  let found = formats.get(key) as F | undefined;
  if (!found) formats.set(key, (found = make()));
  return found;
}

/** A day separator's text: "Today", "Yesterday", else the weekday and date, with the year when it is not this one. */
export function dayLabel(ts: number, day: number, today: Today, locale: Locale): string {
  if (day === today.today || day === today.yesterday) {
    const relative = format(`relative|${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
    const word = relative.format(day === today.today ? 0 : -1, 'day');
    // English says "today" mid-sentence; a separator starts one.
    return word.charAt(0).toLocaleUpperCase(locale) + word.slice(1);
  }
  const withYear = new Date(ts).getFullYear() !== today.year;
  return format(`day|${withYear}|${locale}`, () =>
    new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', ...(withYear ? { year: 'numeric' } : {}) }),
  ).format(ts);
}

/** The full date and time of a message: its time's tooltip, and what a screen reader reads for it. */
export function fullDateTime(ts: number, locale: Locale): string {
  return format(`full|${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' })).format(ts);
}
