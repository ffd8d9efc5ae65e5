// The reference in docs/ is generated from the code where it can be (scripts/docs.ts); this fails when it is stale.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { docsFiles } from '../../scripts/docs.js';

describe('generated reference in docs/', () => {
  it('matches the code (run `npm run docs` after changing what it describes)', async () => {
    for (const { file, current, expected } of await docsFiles()) {
      assert.equal(current, expected, `${file} is out of date: run npm run docs`);
    }
  });
});
