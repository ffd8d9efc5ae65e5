import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compileLocale, type LocaleData } from '../../src/i18n/locale-data.js';
import { localeFile, ON_DEMAND_LOCALES } from '../../src/i18n/locale-files.js';
import zhCNData from '../../src/i18n/locales/zh-CN.js';
import { en } from '../../src/i18n/strings.js';

// The languages loaded on demand are data (src/i18n/locales/), compiled to
// ChatStrings in the browser. Their files in dist/ come from the build (run
// `npm run build --silent` before running this file alone).

const DATA: Record<(typeof ON_DEMAND_LOCALES)[number], LocaleData> = { 'zh-CN': zhCNData };

describe('languages loaded on demand', () => {
  it('Simplified Chinese reads as it did when it was code, numbers written the Chinese way', () => {
    const zh = compileLocale(zhCNData, 'zh-CN');
    assert.equal(zh.title, '聊天');
    assert.equal(zh.statusReconnecting(0), '正在重新连接…');
    assert.equal(zh.statusReconnecting(7), '7 秒后重新连接');
    assert.equal(zh.onlineCount(3), '3 人在线');
    assert.equal(zh.rosterLabel('聊天', ''), '聊天的在线成员');
    assert.equal(zh.rosterLabel('聊天', '李雷'), '聊天的在线成员（李雷）');
    assert.equal(zh.tooLong(12345), '消息太长，无法发送：请删减约 12,345 个字符');
    assert.equal(zh.showMore(1500), '展开全文（还有 1,500 个字符）');
    assert.equal(zh.newMessages(1), '1 条新消息');
    assert.equal(zh.failed(zh.errors.too_large!), '未发送：消息太长');
    assert.equal(zh.cannotConnect('ws://relay/'), '无法连接聊天服务器 ws://relay/，正在重试。');
  });

  for (const locale of ON_DEMAND_LOCALES) {
    it(`${locale} translates every string and every explained error, with placeholders its entries have`, () => {
      const data = DATA[locale] as Record<string, unknown>;
      assert.deepEqual(Object.keys(data).sort(), Object.keys(en).sort(), 'the same entries as English');
      assert.deepEqual(Object.keys(data.errors as object).sort(), Object.keys(en.errors).sort(), 'the same error codes as English');
      // Every template filled in with recognisable values leaves no placeholder behind.
      const strings = compileLocale(DATA[locale], locale);
      for (const [key, value] of Object.entries(strings)) {
        if (typeof value !== 'function') continue;
        for (const args of [['A', 'B'], [0, 0], [1, 1], [2, 2], [''.padEnd(3, 'x'), '']]) {
          const text = (value as (...args: unknown[]) => string)(...args);
          assert.doesNotMatch(text, /\{\w+\}/, `${key}(${args.join(', ')}) = ${text}`);
        }
      }
    });

    it(`dist/${localeFile(locale)} is the data as JSON, and the script bundle holds its hash`, () => {
      const file = readFileSync(`dist/${localeFile(locale)}`);
      assert.deepEqual(JSON.parse(file.toString('utf8')), DATA[locale]);
      const integrity = `sha384-${createHash('sha384').update(file).digest('base64')}`;
      assert.ok(readFileSync('dist/message-center.min.js', 'utf8').includes(integrity), `the bundle fetches it with integrity ${integrity}`);
      assert.ok(!readFileSync('dist/message-center.min.js', 'utf8').includes(String(DATA[locale].composerPlaceholder)), 'and does not hold it');
    });
  }

  it('templates: cases by exact value, plural category and other; entries left out stay English', () => {
    const strings = compileLocale(
      {
        title: 'Discussion',
        newMessages: { count: { '=0': 'none', one: '{count} message', other: '{count} messages' } },
        rosterLabel: '{userName} @ {title} {unknown}',
        errors: { too_large: 'trop long' },
      },
      'en',
    );
    assert.equal(strings.title, 'Discussion');
    assert.equal(strings.send, en.send);
    assert.deepEqual([0, 1, 2, 1000].map((count) => strings.newMessages(count)), ['none', '1 message', '2 messages', '1,000 messages']);
    assert.equal(strings.rosterLabel('Chat', 'Ada'), 'Ada @ Chat {unknown}', 'a placeholder the entry does not have stays as written');
    assert.equal(strings.errors.too_large, 'trop long');
    assert.equal(strings.errors.rate_limited, en.errors.rate_limited);
    assert.equal(strings.statusReconnecting(3), en.statusReconnecting(3));
  });
});
