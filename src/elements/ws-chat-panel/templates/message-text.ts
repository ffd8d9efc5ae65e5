import { html } from 'lit';
import { tokensIn, type Token } from '../text-tokens.js';

/**
 * `text[start, end)` as the panel shows it: text as text, links as anchors,
 * mentions of the people the message names as marked spans.
 * Nothing here is markup from a string: the href is the one the URL parser
 * produced and the scanner checked; its `title` shows it as the browser will
 * follow it (a look-alike host in punycode, say), and `dir="ltr"` isolates
 * the link from bidi controls in the text around it, so no override turns
 * it into another-looking URL.
 */
export function messageText(text: string, tokens: readonly Token[], start = 0, end = text.length) {
  return tokensIn(tokens, start, end).map((token) =>
    token.kind === 'link'
      ? html`<a part="link" href=${token.href} title=${token.href} target="_blank" rel="noopener noreferrer nofollow ugc" dir="ltr">${text.slice(token.start, token.end)}</a>`
      : token.kind === 'mention'
        ? html`<span class="mention" part="mention">${text.slice(token.start, token.end)}</span>`
        : text.slice(token.start, token.end),
  );
}
