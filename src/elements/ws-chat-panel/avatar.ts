/** The first letter of a name, for its avatar. */
export function initials(name: string): string {
  const letters = [...name.trim()];
  return (letters[0] ?? '?').toUpperCase();
}

/**
 * A stable colour per name, dark enough for white initials at every hue
 * (WCAG AA: the lightest, yellow, is 4.7:1 at 30% lightness).
 */
export function avatarColor(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return `hsl(${hash % 360} 55% 30%)`;
}
