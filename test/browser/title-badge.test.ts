// The page title shared by panels with `title-badge`, as a model: whatever
// the panels' counts do, in any order, and whatever the page does to its
// own title meanwhile, the title is `(sum) <the page's title>` while the sum
// is above 0 and exactly the page's title once it is 0.
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { badgeTitle } from '../../src/elements/ws-chat-panel/title-badge.js';
import { truncate } from '../../src/elements/ws-chat-panel/notifier.js';

type Step = { kind: 'count'; panel: number; count: number } | { kind: 'page'; title: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('count' as const), panel: fc.integer({ min: 0, max: 3 }), count: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('page' as const), title: fc.string({ maxLength: 12 }) }) },
);

describe('title badge', () => {
  const original = document.title;
  afterEach(() => {
    document.title = original;
  });

  it('is (sum) before the page\'s latest own title while any panel has unread messages, and that title exactly when none has', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.array(step, { maxLength: 40 }), (start, steps) => {
        const panels = [{}, {}, {}, {}];
        const counts = [0, 0, 0, 0];
        document.title = start;
        // Browsers keep the title with its white space collapsed and trimmed: the model reads it back as the page would.
        let pageTitle = document.title;
        for (const each of steps) {
          if (each.kind === 'page') {
            document.title = each.title;
            pageTitle = document.title;
          } else {
            counts[each.panel] = each.count;
            badgeTitle(panels[each.panel]!, each.count);
          }
          const sum = counts.reduce((a, b) => a + b, 0);
          if (each.kind === 'count') expect(document.title).to.equal(sum > 0 ? `(${sum}) ${pageTitle}`.trim() : pageTitle);
        }
        for (const panel of panels) badgeTitle(panel, 0);
        expect(document.title, 'every panel at 0: the page\'s title back').to.equal(pageTitle);
      }),
      { numRuns: 300 },
    );
  });
});

describe('notification text', () => {
  it('is at most 140 characters, the message\'s own text up to an ellipsis, never a split surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        const body = truncate(text);
        const flat = text.replace(/\s+/g, ' ').trim();
        const characters = [...body];
        expect(characters.length).to.be.at.most(140);
        if ([...flat].length <= 140) expect(body).to.equal(flat);
        else {
          expect(body.endsWith('…')).to.equal(true);
          expect(flat.startsWith(body.slice(0, -1))).to.equal(true);
        }
        expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(body), 'no lone high surrogate').to.equal(false);
      }),
      { numRuns: 300 },
    );
  });
});
