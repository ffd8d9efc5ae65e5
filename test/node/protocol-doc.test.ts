import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import { decodeClientFrame, decodeServerFrame } from '../../src/protocol/codec.js';
import { CloseCode, CloseReason, ErrorCode, FieldLimits, RetryCanHelp, SUBPROTOCOL_V1 } from '../../src/protocol/constants.js';
import { LegacyInFrameSchema } from '../../src/protocol/legacy.js';
import { DEFAULT_LIMITS } from '../../src/server/options.js';

// Every example in docs/PROTOCOL.md is checked against the codec, so the
// document cannot show a frame the relay or the client would refuse.

const DOC_URL = new URL('../../docs/PROTOCOL.md', import.meta.url);
const doc = readFileSync(DOC_URL, 'utf8');

const CLIENT_TYPES = new Set(['hello', 'send', 'ping', 'received', 'join', 'leave', 'who', 'history', 'typing', 'read', 'readers']);
const SERVER_TYPES = new Set(['welcome', 'message', 'ack', 'delivered', 'join', 'leave', 'error', 'pong', 'joined', 'left', 'presence', 'roster', 'page', 'typing', 'read', 'readers']);
/** Fields only the server's frame of a type that goes both ways has: a notice names a peer, a receipt its reader, an answer a count. */
const SERVER_ONLY_FIELDS = ['peer', 'from', 'by', 'count'];
const LEGACY_OUT_KEYS = ['count', 'currUserIp', 'currUserName', 'data'];
const LEGACY_IN_KEYS = new Set(['ip', 'userName', 'data']);

interface Block {
  /** 1-based line of the opening fence, for failure messages. */
  readonly line: number;
  readonly text: string;
}

function jsonBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```json') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    assert.ok(i < lines.length, `the json block opened at line ${start + 1} is never closed`);
    blocks.push({ line: start + 1, text: body.join('\n') });
  }
  return blocks;
}

type Kind = 'client' | 'server' | 'legacy-in' | 'legacy-out';

/** Parses one block and checks it as what it claims to be; returns its kind. */
function check(block: Block): { kind: Kind; value: Record<string, unknown> } {
  const where = `json block at docs/PROTOCOL.md:${block.line}`;
  const lines = block.text.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, 1, `${where}: one frame per block, on one line`);
  let value: unknown;
  try {
    value = JSON.parse(lines[0]!);
  } catch (error) {
    assert.fail(`${where}: not JSON (${(error as Error).message})`);
  }
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${where}: not a JSON object`);
  const frame = value as Record<string, unknown>;
  const text = JSON.stringify(frame);

  if (typeof frame.type === 'string') {
    // `join`, `leave`, `typing`, `read` and `readers` go both ways.
    if (CLIENT_TYPES.has(frame.type) && !(SERVER_TYPES.has(frame.type) && SERVER_ONLY_FIELDS.some((field) => field in frame))) {
      const decoded = decodeClientFrame(text);
      assert.ok(decoded.ok, `${where}: the server would refuse this ${frame.type}: ${decoded.ok ? '' : decoded.message}`);
      return { kind: 'client', value: frame };
    }
    if (SERVER_TYPES.has(frame.type)) {
      const decoded = decodeServerFrame(text);
      assert.ok(decoded.ok, `${where}: a client would refuse this ${frame.type}: ${decoded.ok ? '' : decoded.message}`);
      return { kind: 'server', value: frame };
    }
    assert.fail(`${where}: unknown frame type ${JSON.stringify(frame.type)}`);
  }
  if ('count' in frame || 'currUserIp' in frame || 'currUserName' in frame) {
    assert.deepEqual(Object.keys(frame), LEGACY_OUT_KEYS, `${where}: a legacy frame has exactly count, currUserIp, currUserName, data, in that order`);
    assert.equal(typeof frame.count, 'number', `${where}: count`);
    assert.ok(Number.isInteger(frame.count) && (frame.count as number) >= 0, `${where}: count is a whole number`);
    assert.equal(typeof frame.currUserIp, 'string', `${where}: currUserIp`);
    assert.equal(typeof frame.currUserName, 'string', `${where}: currUserName`);
    return { kind: 'legacy-out', value: frame };
  }
  if ('ip' in frame || 'userName' in frame || 'data' in frame) {
    const result = v.safeParse(LegacyInFrameSchema, frame);
    assert.ok(result.success, `${where}: the legacy schema refuses it: ${result.issues?.[0]?.message ?? ''}`);
    // The legacy schema ignores unknown keys; a documented example should not show any.
    for (const key of Object.keys(frame)) assert.ok(LEGACY_IN_KEYS.has(key), `${where}: ${key} is not a legacy field`);
    return { kind: 'legacy-in', value: frame };
  }
  assert.fail(`${where}: neither a v1 frame (no type) nor a legacy frame: ${text}`);
}

describe('docs/PROTOCOL.md examples', () => {
  const blocks = jsonBlocks(doc);
  const checked: Array<ReturnType<typeof check>> = [];
  const failures: string[] = [];
  for (const block of blocks) {
    try {
      checked.push(check(block));
    } catch (error) {
      failures.push((error as Error).message);
    }
  }

  it('has enough json examples that this test cannot pass vacuously', () => {
    assert.ok(blocks.length >= 40, `found only ${blocks.length} json blocks`);
  });

  it('shows only frames the codec accepts, one per block, on one line', () => {
    assert.deepEqual(failures, []);
    assert.equal(checked.length, blocks.length);
  });

  it('shows at least one example of every frame type and of both legacy directions', () => {
    const types = new Set(checked.filter((c) => c.kind === 'client' || c.kind === 'server').map((c) => c.value.type as string));
    const shown = new Set(checked.filter((c) => c.kind === 'client' || c.kind === 'server').map((c) => `${c.kind} ${c.value.type as string}`));
    for (const type of CLIENT_TYPES) assert.ok(shown.has(`client ${type}`), `no example of the client's ${type}`);
    for (const type of SERVER_TYPES) assert.ok(shown.has(`server ${type}`), `no example of the server's ${type}`);
    assert.ok(types.has('join') && types.has('leave'), 'join and leave');
    const kinds = new Set(checked.map((c) => c.kind));
    assert.ok(kinds.has('legacy-in'), 'no legacy frame from a client');
    assert.ok(kinds.has('legacy-out'), 'no legacy frame to a client');
  });

  it('uses only the stable error codes in error examples, legacy ones included', () => {
    const codes = new Set<string>(Object.values(ErrorCode));
    const used = new Set<string>();
    for (const { kind, value } of checked) {
      if (kind === 'server' && value.type === 'error') used.add(value.code as string);
      if (kind === 'legacy-out' && typeof value.data === 'object' && value.data !== null && 'error' in value.data) {
        assert.deepEqual(Object.keys(value.data).sort(), ['error', 'message']);
        assert.equal(value.currUserIp, '');
        assert.equal(value.currUserName, '');
        used.add((value.data as { error: string }).error);
      }
    }
    for (const code of used) assert.ok(codes.has(code), `${code} is not an ErrorCode`);
    assert.ok(used.size >= 6, `error examples show only ${[...used].join(', ')}`);
  });

  it('shows legacy notices exactly as "login" and "logout"', () => {
    const notices = checked.filter((c) => c.kind === 'legacy-out' && typeof c.value.data === 'string').map((c) => c.value.data);
    assert.ok(notices.includes('login') && notices.includes('logout'));
  });
});

describe('docs/PROTOCOL.md coverage of the constants', () => {
  it('is versioned and has a table of contents whose links all resolve', () => {
    assert.match(doc, /Protocol v1, revision 1/);
    const anchors = new Set(
      [...doc.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^\p{L}\p{N} -]/gu, '')
          .replace(/ /g, '-'),
      ),
    );
    const links = [...doc.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(links.length >= 17, 'a table of contents');
    for (const link of links) assert.ok(anchors.has(link), `broken link #${link}`);
  });

  it('names the subprotocol, every error code, close code, close reason, limit and default', () => {
    assert.ok(doc.includes(`\`${SUBPROTOCOL_V1}\``));
    for (const code of Object.values(ErrorCode)) assert.ok(doc.includes(`\`${code}\``), `error code ${code}`);
    for (const code of Object.values(CloseCode)) {
      // 1000 is defined but never sent; the document says so.
      assert.ok(doc.includes(String(code)), `close code ${code}`);
    }
    for (const reason of Object.values(CloseReason)) assert.ok(doc.includes(`\`${reason}\``), `close reason ${reason}`);
    const grouped = (n: number) => n.toLocaleString('en-US').replace(/,/g, ' ');
    for (const [key, value] of Object.entries(DEFAULT_LIMITS)) {
      const rows = doc.split('\n').filter((line) => line.startsWith(`| \`${key}\` |`));
      assert.ok(rows.length > 0, `no row for the limit ${key}`);
      assert.ok(
        rows.some((row) => row.includes(`| ${grouped(value)}`)),
        `${key}: no row gives its default ${value}: ${rows.join(' / ')}`,
      );
    }
    for (const value of Object.values(FieldLimits)) assert.ok(doc.includes(String(value)), `field limit ${value}`);
  });

  it('says after which error codes sending again can help, as RetryCanHelp does', () => {
    const paragraph = doc.split('\n').find((line) => line.startsWith('**Sending again.**'));
    assert.ok(paragraph, 'no "Sending again" paragraph in section 10');
    const listed = paragraph.slice(0, paragraph.indexOf('may succeed')).match(/`[a-z_]+`/g)!.map((code) => code.slice(1, -1));
    const retryable = Object.entries(RetryCanHelp).filter(([, can]) => can).map(([code]) => code);
    assert.deepEqual(listed.sort(), retryable.sort());
  });
});
