// Mentions in the composer (src/elements/ws-chat-panel/mentions.ts): which
// `@name` is being typed, whom to offer, what picking one writes, and which
// of the people picked the message still mentions when it goes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { candidates, insertMention, mentionedIds, mentionQuery } from '../../src/elements/ws-chat-panel/mentions.js';

const peer = (id: string, name: string) => ({ id, name, addr: '' });

describe('mentions: the composer side', () => {
  it('finds the @query just before the caret, not inside a word or an address, nor after a space', () => {
    assert.deepEqual(mentionQuery('hi @Ad', 6), { start: 3, query: 'Ad' });
    assert.deepEqual(mentionQuery('@', 1), { start: 0, query: '' });
    assert.deepEqual(mentionQuery('你好@李', 4), { start: 2, query: '李' });
    assert.equal(mentionQuery('mail ada@exa', 12), undefined);
    assert.equal(mentionQuery('@Ada and', 8), undefined);
    assert.equal(mentionQuery('no at sign', 10), undefined);
    assert.deepEqual(mentionQuery('@Ada x', 4), { start: 0, query: 'Ada' });
  });

  it('offers names that start with the query first, then names with a word that does, without yourself, each person once', () => {
    const roster = [peer('1', 'Ada'), peer('2', 'Bob Adams'), peer('3', 'adalbert'), peer('4', 'Eve'), peer('1', 'Ada'), peer('5', 'Ada')];
    assert.deepEqual(candidates(roster, 'ad', '5').map((p) => p.id), ['1', '3', '2']);
    assert.deepEqual(candidates(roster, '', '5').map((p) => p.id), ['1', '2', '3', '4']);
    assert.deepEqual(candidates(roster, 'zz', undefined), []);
    assert.equal(candidates(Array.from({ length: 50 }, (_, i) => peer(String(i), `P${i}`)), 'p', undefined).length, 8);
  });

  it('picking replaces the @query with @name and one space, and puts the caret after it', () => {
    assert.deepEqual(insertMention('hi @Ad', 3, 6, 'Ada Lovelace'), { text: 'hi @Ada Lovelace ', caret: 17 });
    assert.deepEqual(insertMention('hi @Ad there', 3, 6, 'Ada'), { text: 'hi @Ada there', caret: 8 });
  });

  it('a message mentions exactly the people picked whose @name it still has (property)', () => {
    const names = ['Ada', 'Ada Lovelace', 'Bob', '李雷'];
    fc.assert(
      fc.property(fc.subarray(names), fc.array(fc.constantFrom(' ', 'x', 'hi', '@', '，', '\n'), { maxLength: 6 }), (kept, filler) => {
        const picked = new Map(names.map((name, i) => [String(i), name]));
        const text = kept.map((name, i) => `${filler[i] ?? ' '} @${name} `).join('');
        const ids = mentionedIds(text, picked);
        for (const [id, name] of picked) {
          // "@Ada Lovelace" contains "@Ada" followed by a space: a mention of Ada too, as the writer would read it.
          const expected = kept.includes(name) || (name === 'Ada' && kept.includes('Ada Lovelace'));
          assert.equal(ids.includes(id), expected, `${name} in ${JSON.stringify(text)}`);
        }
      }),
      { numRuns: 500 },
    );
    assert.deepEqual(mentionedIds('@Adam hi', new Map([['1', 'Ada']])), []);
  });
});
