import { ResizeController, type RenderingHost } from './resize-controller.js';

/**
 * Tells whether a box of the host's render is narrow: at most `maxWidthRem`
 * wide. That is the test of a container query `(max-width: …rem)` on the same
 * box (a query container of `inline-size`), so what the script decides and
 * what the styles lay out change at the same width, whatever the root font
 * size: rem in a container query, as here, are the root element's.
 */
export class NarrowController {
  narrow = false;

  constructor(host: RenderingHost, box: () => Element | undefined, maxWidthRem: number) {
    new ResizeController(host, () => [box()], (entry) => {
      const remPx = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      const narrow = entry.contentRect.width <= maxWidthRem * remPx;
      if (narrow === this.narrow) return;
      this.narrow = narrow;
      host.requestUpdate();
    });
  }
}
