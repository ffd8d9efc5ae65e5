/**
 * Registers `tag` unless a definition already exists (for instance from a
 * second copy of this package on the page), in which case the existing one is
 * kept: registration never throws.
 */
export function defineElement(tag: string, constructor: CustomElementConstructor): void {
  if (typeof customElements === 'undefined') return;
  if (customElements.get(tag)) return;
  customElements.define(tag, constructor);
}
