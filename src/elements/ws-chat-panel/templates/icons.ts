import { html, svg } from 'lit';

const icons = {
  people: svg`<path d="M16 19v-1a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v1"/><circle cx="9" cy="7" r="3.5"/><path d="M22 19v-1a4 4 0 0 0-3-3.87M16 3.13a4 4 0 0 1 0 7.75"/>`,
  lock: svg`<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>`,
  clock: svg`<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>`,
  check: svg`<path d="M5 12.5l4.5 4.5L19 7.5"/>`,
  checks: svg`<path d="M2 12.5l4.5 4.5L16 7.5M11 16l1 1L22 7.5"/>`,
  eye: svg`<path d="M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3"/>`,
  alert: svg`<circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5M12 16.5v.01"/>`,
  send: svg`<path d="M4 12l16-8-6 16-2.5-6.5z"/><path d="M11.5 13.5L20 4"/>`,
  down: svg`<path d="M12 5v14M6 13l6 6 6-6"/>`,
  close: svg`<path d="M6 6l12 12M18 6L6 18"/>`,
  bell: svg`<path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20.5a2 2 0 0 0 4 0"/>`,
};

/** A decorative icon: the text beside it says what it means. */
export const icon = (shape: keyof typeof icons) => html`<svg viewBox="0 0 24 24" aria-hidden="true">${icons[shape]}</svg>`;
