import { css, unsafeCSS } from 'lit';

/**
 * The panel is narrow at this width or less (in rem): the roster then lies
 * over the log, and is folded away until asked for. The one breakpoint of the
 * layout, for the styles' container query and the script alike.
 */
export const NARROW_MAX_WIDTH_REM = 34;

// Whole, as a string: neither css`` nor the build's minifier take a value inside a query.
const narrowLayout = unsafeCSS(
  `@container (max-width: ${NARROW_MAX_WIDTH_REM}rem) { aside { position: absolute; inset: 0 0 0 auto; width: min(15rem, 80%); box-shadow: -8px 0 24px rgb(0 0 0 / 0.15); z-index: 1; } }`,
);

// Dark defaults, applied under prefers-color-scheme: dark (unless theme="light")
// and under theme="dark". Each --ws-chat-panel-* property the page sets wins.
const dark = css`
  --_bg: var(--ws-chat-panel-bg, #0f172a);
  --_surface: var(--ws-chat-panel-surface, #111c33);
  --_fg: var(--ws-chat-panel-fg, #e5e9f0);
  --_muted: var(--ws-chat-panel-muted, #a3aec2);
  --_border: var(--ws-chat-panel-border, #26324a);
  --_field-border: var(--ws-chat-panel-field-border, #64718c);
  --_accent: var(--ws-chat-panel-accent, #8ea2ff);
  --_accent-fg: var(--ws-chat-panel-accent-fg, #0b1020);
  --_own-bg: var(--ws-chat-panel-own-bg, #3b4fd8);
  --_own-fg: var(--ws-chat-panel-own-fg, #ffffff);
  --_other-bg: var(--ws-chat-panel-other-bg, #1c2740);
  --_private: var(--ws-chat-panel-private, #f0b45e);
  --_private-bg: var(--ws-chat-panel-private-bg, #3a2b12);
  --_online: var(--ws-chat-panel-online, #4ade80);
  --_warning: var(--ws-chat-panel-warning, #fbbf24);
  --_danger: var(--ws-chat-panel-danger, #f87171);
  color-scheme: dark;
`;

export const styles = css`
  :host {
    --_bg: var(--ws-chat-panel-bg, #ffffff);
    --_surface: var(--ws-chat-panel-surface, #f6f7fb);
    --_fg: var(--ws-chat-panel-fg, #172033);
    --_muted: var(--ws-chat-panel-muted, #566176);
    --_border: var(--ws-chat-panel-border, #dde1ea);
    /* The edge of the textbox and of the roster's check boxes: 3:1 against what surrounds them (WCAG 1.4.11). */
    --_field-border: var(--ws-chat-panel-field-border, #7d8699);
    --_accent: var(--ws-chat-panel-accent, #3346d3);
    --_accent-fg: var(--ws-chat-panel-accent-fg, #ffffff);
    --_own-bg: var(--ws-chat-panel-own-bg, #3346d3);
    --_own-fg: var(--ws-chat-panel-own-fg, #ffffff);
    --_other-bg: var(--ws-chat-panel-other-bg, #eef0f6);
    --_private: var(--ws-chat-panel-private, #8a5300);
    --_private-bg: var(--ws-chat-panel-private-bg, #fff4e0);
    --_online: var(--ws-chat-panel-online, #16a34a);
    --_warning: var(--ws-chat-panel-warning, #b45309);
    --_danger: var(--ws-chat-panel-danger, #c62828);
    --_radius: var(--ws-chat-panel-radius, 14px);
    --_font: var(
      --ws-chat-panel-font,
      system-ui, -apple-system, 'Segoe UI', Roboto, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei',
      'Noto Sans CJK SC', 'Noto Sans SC', sans-serif
    );
    color-scheme: light;
    /* The host is only a box the page sizes and places, in any display it
       likes: the layout lives in .panel, which does not depend on it. */
    display: block;
    box-sizing: border-box;
    height: var(--ws-chat-panel-height, 32rem);
    min-width: 18rem;
    /* As a flex or grid item it may shrink below its height (flex: 1 in a column). */
    min-height: 0;
    color: var(--_fg);
    font: 0.9375rem / 1.45 var(--_font);
    /* The corners of .panel, so that a page's box-shadow on the element follows them. */
    border-radius: var(--_radius);
  }
  /* Fills the host when its height is definite. Size containment keeps the
     messages from ever sizing it: when nothing else gives it a height (the
     host's height is auto, or display: contents leaves the host no box and
     100% resolves against a parent without a height) it is
     --ws-chat-panel-height tall. overflow: hidden also makes its automatic
     minimum size 0, so a grid or flex host shorter than that shrinks it. */
  .panel {
    position: relative;
    box-sizing: border-box;
    width: 100%;
    height: 100%;
    min-width: 18rem;
    /* Header and composer, at least: a percentage height of a parent without
       one leaves no height to contain, and the composer must stay usable. */
    min-height: 12rem;
    contain: size layout style;
    /* Less the border: the intrinsic size is that of the content box. */
    contain-intrinsic-block-size: calc(var(--ws-chat-panel-height, 32rem) - 2px);
    container-type: inline-size;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
  }
  /* Positioned, so its height is the panel's final height however that was
     found (a flex column in a box sized by containment alone would let the
     message list grow past it). */
  .layout {
    position: absolute;
    inset: 0;
    display: flex;
    flex-direction: column;
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${dark}
    }
  }
  :host([theme='dark']) {
    ${dark}
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  button,
  textarea,
  input {
    font: inherit;
    color: inherit;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }

  /* ── header ─────────────────────────────────────────── */
  .header {
    display: flex;
    align-items: center;
    gap: 0.75rem;
    padding: 0.625rem 0.875rem;
    border-bottom: 1px solid var(--_border);
    background: var(--_surface);
  }
  .title {
    margin: 0;
    font-size: 1rem;
    font-weight: 650;
    letter-spacing: -0.01em;
  }
  .status {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    font-size: 0.8125rem;
    color: var(--_muted);
  }
  .dot {
    width: 0.5rem;
    height: 0.5rem;
    border-radius: 50%;
    background: var(--_muted);
    flex: none;
  }
  .status[data-status='online'] .dot {
    background: var(--_online);
    box-shadow: 0 0 0 3px color-mix(in srgb, var(--_online) 25%, transparent);
  }
  .status[data-status='reconnecting'] .dot,
  .status[data-status='connecting'] .dot {
    background: var(--_warning);
    animation: pulse 1.2s ease-in-out infinite;
  }
  .status[data-status='offline'] .dot {
    background: var(--_danger);
  }
  @keyframes pulse {
    50% {
      opacity: 0.35;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .dot {
      animation: none !important;
    }
  }
  .spacer {
    flex: 1;
  }
  .count {
    font-size: 0.8125rem;
    color: var(--_muted);
    white-space: nowrap;
  }
  .link-button {
    border: none;
    background: none;
    padding: 0.125rem 0.25rem;
    border-radius: 6px;
    color: var(--_accent);
    font-size: 0.8125rem;
    font-weight: 600;
    cursor: pointer;
  }
  .link-button:hover {
    text-decoration: underline;
  }
  .unread {
    min-width: 1.25rem;
    padding: 0.0625rem 0.375rem;
    border-radius: 999px;
    background: var(--_accent);
    color: var(--_accent-fg);
    font-size: 0.75rem;
    font-weight: 700;
    text-align: center;
    font-variant-numeric: tabular-nums;
  }
  .notify-offer {
    display: flex;
    align-items: center;
    padding: 0.25rem 0.625rem;
    border-bottom: 1px solid var(--_border);
    background: var(--_surface);
    font-size: 0.8125rem;
    color: var(--_muted);
  }
  .notify-offer .link-button {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
  }
  .roster-toggle {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    border: 1px solid var(--_border);
    background: var(--_bg);
    border-radius: 999px;
    padding: 0.25rem 0.625rem;
    font-size: 0.8125rem;
    cursor: pointer;
  }
  .roster-toggle[aria-expanded='true'] {
    border-color: var(--_accent);
    color: var(--_accent);
  }
  svg {
    width: 1em;
    height: 1em;
    flex: none;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }

  /* ── body: stream and roster ────────────────────────── */
  .body {
    flex: 1;
    display: flex;
    min-height: 0;
    position: relative;
  }
  .stream {
    flex: 1;
    min-width: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 0.75rem 0.875rem 0.5rem;
    display: flex;
    flex-direction: column;
    gap: 0.375rem;
    scroll-padding-bottom: 0.5rem;
  }
  .stream:focus-visible {
    outline-offset: -2px;
  }
  .empty {
    margin: auto;
    color: var(--_muted);
    font-size: 0.875rem;
  }
  .earlier,
  .marker {
    align-self: center;
  }
  .marker {
    margin: 0;
    font-size: 0.75rem;
    color: var(--_muted);
  }
  /* Empty, it takes no room, not even the log's gap. */
  .marker:empty {
    margin-bottom: -0.375rem;
  }
  /* A day separator: its name between two rules, across the log. */
  .day {
    display: flex;
    align-items: center;
    gap: 0.75rem;
    font-size: 0.75rem;
    font-weight: 600;
    color: var(--_muted);
  }
  .day::before,
  .day::after {
    content: '';
    flex: 1;
    border-top: 1px solid var(--_border);
  }
  .room {
    unicode-bidi: isolate;
  }
  .room::before {
    content: '#';
  }
  .message {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    max-width: min(80%, 36rem);
  }
  .message.own {
    align-self: flex-end;
    align-items: flex-end;
  }
  .meta {
    display: flex;
    align-items: baseline;
    gap: 0.5rem;
    padding: 0 0.25rem 0.125rem;
    font-size: 0.75rem;
    color: var(--_muted);
    max-width: 100%;
  }
  .sender {
    font-weight: 650;
    color: var(--_fg);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    unicode-bidi: isolate;
  }
  .addr {
    font-variant-numeric: tabular-nums;
  }
  .bubble {
    padding: 0.4375rem 0.75rem;
    border-radius: var(--_radius);
    border-top-left-radius: 4px;
    background: var(--_other-bg);
    max-width: 100%;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    unicode-bidi: isolate;
    max-height: 24em;
    overflow-y: auto;
  }
  /* Underlined, not only coloured: a link tells itself from the text around it in any bubble's colours. */
  .bubble a {
    color: inherit;
    text-decoration: underline;
    text-underline-offset: 2px;
  }
  /* A long message, collapsed: its preview, then "show more". */
  .bubble[data-collapsed]::after {
    content: '…';
  }
  /* A long message, whole: the browser lays out only the chunks in view. */
  .chunk {
    display: block;
    content-visibility: auto;
    contain-intrinsic-block-size: auto 40lh;
  }
  .more {
    margin-top: 0.125rem;
  }
  .own .bubble {
    background: var(--_own-bg);
    color: var(--_own-fg);
    border-top-left-radius: var(--_radius);
    border-top-right-radius: 4px;
  }
  .private .bubble {
    box-shadow: inset 0 0 0 1.5px var(--_private);
  }
  .private-label {
    display: inline-flex;
    align-items: center;
    gap: 0.25rem;
    color: var(--_private);
    background: var(--_private-bg);
    border-radius: 999px;
    padding: 0 0.5rem;
    font-weight: 600;
  }
  .delivery {
    display: inline-flex;
    align-items: center;
    gap: 0.25rem;
    font-size: 0.75rem;
    color: var(--_muted);
    padding: 0.125rem 0.25rem 0;
  }
  .delivery[data-state='failed'] {
    color: var(--_danger);
  }
  /* The icon, not the text, takes the accent: "Read" keeps the muted text's contrast. */
  .delivery[data-state='read'] svg {
    color: var(--_accent);
  }
  /* A secondary action under every message of yours: as quiet as the state beside it, a link only on hover and focus. */
  .delivery .readers {
    font-size: 0.75rem;
    font-weight: inherit;
    color: inherit;
    padding: 0 0.25rem;
  }
  .delivery .readers::before {
    content: '·\\a0' / '';
  }
  .delivery .readers:hover,
  .delivery .readers:focus-visible {
    color: var(--_accent);
    text-decoration: underline;
  }
  .readers-answer:empty {
    display: none;
  }
  /* Paler, not translucent: the text keeps its full contrast (4.5:1 and more in both themes). */
  .message[data-state='pending'] .bubble {
    background: color-mix(in srgb, var(--_own-bg) 85%, var(--_bg));
  }
  .notice {
    align-self: center;
    font-size: 0.75rem;
    color: var(--_muted);
    background: var(--_surface);
    border-radius: 999px;
    padding: 0.125rem 0.75rem;
    text-align: center;
    max-width: 90%;
    overflow-wrap: anywhere;
  }
  .notice.gap {
    color: var(--_warning);
    font-weight: 600;
  }
  .new-pill {
    position: absolute;
    left: 50%;
    bottom: 0.75rem;
    transform: translateX(-50%);
    border: none;
    border-radius: 999px;
    padding: 0.375rem 0.875rem;
    background: var(--_accent);
    color: var(--_accent-fg);
    font-size: 0.8125rem;
    font-weight: 600;
    box-shadow: 0 4px 14px rgb(0 0 0 / 0.18);
    cursor: pointer;
    display: inline-flex;
    gap: 0.375rem;
    align-items: center;
  }
  aside {
    width: 13rem;
    flex: none;
    border-left: 1px solid var(--_border);
    background: var(--_surface);
    overflow-y: auto;
    padding: 0.625rem 0.5rem;
  }
  aside[hidden] {
    display: none;
  }
  ${narrowLayout}
  .roster-heading {
    margin: 0 0.375rem 0.5rem;
    font-size: 0.75rem;
    font-weight: 650;
    text-transform: uppercase;
    letter-spacing: 0.05em;
    color: var(--_muted);
  }
  .roster {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: 0.125rem;
  }
  /* A big room's roster: only the entries in view are laid out and painted. */
  .roster li {
    content-visibility: auto;
    contain-intrinsic-size: auto 2.5rem;
  }
  .peer {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    width: 100%;
    border: none;
    background: none;
    border-radius: 8px;
    padding: 0.375rem 0.5rem;
    text-align: start;
    cursor: pointer;
  }
  .peer:hover {
    background: color-mix(in srgb, var(--_accent) 8%, transparent);
  }
  .peer[aria-pressed='true'] {
    background: color-mix(in srgb, var(--_accent) 14%, transparent);
    color: var(--_fg);
  }
  .peer[disabled] {
    cursor: default;
    opacity: 1;
  }
  .peer[disabled]:hover {
    background: none;
  }
  .avatar {
    width: 1.75rem;
    height: 1.75rem;
    border-radius: 50%;
    display: grid;
    place-items: center;
    font-size: 0.75rem;
    font-weight: 700;
    color: #fff;
    flex: none;
  }
  .peer-text {
    display: flex;
    flex-direction: column;
    min-width: 0;
    flex: 1;
    line-height: 1.2;
  }
  .peer-name {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    unicode-bidi: isolate;
  }
  .peer-addr {
    font-size: 0.6875rem;
    color: var(--_muted);
  }
  .check {
    width: 1.125rem;
    height: 1.125rem;
    border-radius: 5px;
    border: 1.5px solid var(--_field-border);
    display: grid;
    place-items: center;
    flex: none;
  }
  .peer[aria-pressed='true'] .check {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-fg);
  }

  /* ── composer ───────────────────────────────────────── */
  form {
    border-top: 1px solid var(--_border);
    padding: 0.5rem 0.75rem 0.75rem;
    display: flex;
    flex-direction: column;
    gap: 0.375rem;
    background: var(--_bg);
  }
  .targets {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.375rem;
    font-size: 0.8125rem;
    color: var(--_muted);
    min-height: 1.625rem;
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 0.25rem;
    border: 1px solid var(--_border);
    border-radius: 999px;
    padding: 0.0625rem 0.25rem 0.0625rem 0.625rem;
    background: var(--_surface);
    color: var(--_fg);
    max-width: 12rem;
  }
  .chip.private {
    border-color: var(--_private);
    background: var(--_private-bg);
    color: var(--_private);
  }
  .chip-label {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    /* A recipient's name is a peer's text: it must not reorder the chip around it. */
    unicode-bidi: isolate;
  }
  /* A recipient not online: still picked, visibly not there. */
  .chip[data-state='away'],
  .chip[data-state='gone'] {
    border-style: dashed;
    background: transparent;
  }
  .chip[data-state='gone'] {
    border-color: var(--_danger);
    color: var(--_danger);
  }
  .chip-state {
    font-size: 0.75rem;
    white-space: nowrap;
  }
  .chip button {
    border: none;
    background: none;
    padding: 0.125rem;
    border-radius: 50%;
    cursor: pointer;
    display: inline-grid;
    place-items: center;
  }
  .search {
    width: 100%;
    margin-bottom: 0.5rem;
  }
  .none {
    padding: 0 0.375rem;
    font-size: 0.8125rem;
    color: var(--_muted);
  }
  .addresses,
  .room-pick,
  .search {
    font: inherit;
    color: inherit;
    border: 1px solid var(--_field-border);
    border-radius: 8px;
    padding: 0.25rem 0.5rem;
    background: var(--_bg);
  }
  .addresses {
    flex: 1;
    min-width: 10rem;
  }
  .row {
    display: flex;
    align-items: flex-end;
    gap: 0.5rem;
  }
  /* The people "@" offers: a list just above the textbox. */
  .mentions {
    margin: 0;
    padding: 0.25rem;
    list-style: none;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .mention-option {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.375rem 0.5rem;
    border-radius: calc(var(--_radius) - 2px);
    cursor: pointer;
  }
  .mention-option[aria-selected='true'] {
    background: var(--_accent);
    color: var(--_accent-fg);
  }
  .mention-name {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    unicode-bidi: isolate;
  }
  /* A message that mentions you: an accent bar beside it, and its label. */
  .message.mentioned .bubble {
    border-left: 3px solid var(--_accent);
  }
  .mention-label {
    font-weight: 600;
    color: var(--_accent);
  }
  /* A mention of someone in a message. */
  .mention {
    font-weight: 650;
    unicode-bidi: isolate;
  }
  textarea {
    flex: 1;
    resize: none;
    min-height: 2.5rem;
    max-height: 8rem;
    padding: 0.5rem 0.75rem;
    border: 1px solid var(--_field-border);
    border-radius: 12px;
    background: var(--_surface);
    line-height: 1.4;
    field-sizing: content;
  }
  textarea::placeholder {
    color: var(--_muted);
    opacity: 1;
  }
  textarea:focus-visible {
    outline-offset: 0;
    border-color: var(--_accent);
  }
  .send {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    height: 2.5rem;
    padding: 0 1rem;
    border: none;
    border-radius: 12px;
    background: var(--_accent);
    color: var(--_accent-fg);
    font-weight: 650;
    cursor: pointer;
  }
  .send:disabled {
    opacity: 0.5;
    cursor: default;
  }
  .error,
  /* Who is typing: no height while nobody is, so the log keeps its space. */
  .typing {
    flex: none;
    display: flex;
    align-items: center;
    gap: 0.375rem;
    padding: 0 0.75rem;
    font-size: 0.8125rem;
    color: var(--_muted);
    background: var(--_bg);
    min-width: 0;
  }
  .typing[data-active] {
    padding-block: 0.25rem;
  }
  .typing-text {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .typing-dots {
    display: inline-flex;
    gap: 0.1875rem;
  }
  .typing-dots span {
    width: 0.3125rem;
    height: 0.3125rem;
    border-radius: 50%;
    background: currentColor;
    animation: typing-dot 1.2s ease-in-out infinite;
  }
  .typing-dots span:nth-child(2) {
    animation-delay: 0.2s;
  }
  .typing-dots span:nth-child(3) {
    animation-delay: 0.4s;
  }
  @keyframes typing-dot {
    0%,
    60%,
    100% {
      opacity: 0.3;
    }
    30% {
      opacity: 1;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .typing-dots span {
      animation: none;
      opacity: 0.6;
    }
  }
  .note {
    margin: 0;
    font-size: 0.8125rem;
    color: var(--_danger);
  }
  .note[data-blocked='false'] {
    color: var(--_muted);
  }
`;
