// custom-elements.json (npm run build) describes both elements from their
// source docs, with the tag names the define modules register.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

interface Named {
  name: string;
  type?: { text: string };
}
interface Declaration {
  name: string;
  customElement?: boolean;
  tagName?: string;
  summary?: string;
  attributes?: Named[];
  members?: Array<Named & { privacy?: string; kind: string }>;
  events?: Named[];
  slots?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}
interface Manifest {
  modules: Array<{ path: string; declarations?: Declaration[]; exports?: Array<{ kind: string; name: string }> }>;
}

const file = new URL('../../dist/custom-elements.json', import.meta.url);

function element(manifest: Manifest, tag: string): Declaration {
  const found = manifest.modules.flatMap((module) => module.declarations ?? []).find((d) => d.customElement && d.tagName === tag);
  assert.ok(found, `<${tag}> is in the manifest with its tag name`);
  return found;
}

describe('custom-elements.json', () => {
  const manifest = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Manifest) : undefined;

  it('is built (npm run build) and names shipped modules', () => {
    assert.ok(manifest, 'dist/custom-elements.json is missing: run npm run build');
    for (const module of manifest.modules) assert.match(module.path, /^dist\/.*\.js$/);
    const definitions = manifest.modules.flatMap((module) => module.exports ?? []).filter((e) => e.kind === 'custom-element-definition');
    assert.deepEqual(definitions.map((d) => d.name).sort(), ['message-center-provider', 'ws-chat-panel']);
  });

  it('documents <ws-chat-panel>: attributes, public members, typed events, slots, parts and custom properties', () => {
    const panel = element(manifest!, 'ws-chat-panel');
    assert.equal(panel.summary, 'Real-time chat over a Message Center relay.');
    assert.deepEqual(
      panel.attributes!.map((a) => a.name).filter((name) => name !== 'lang'),
      ['url', 'user-name', 'protocol', 'max-messages', 'room', 'history', 'theme', 'title-badge', 'notify', 'receipts', 'shared-connection'],
    );
    const publicMembers = panel.members!.filter((m) => m.privacy !== 'private' && m.privacy !== 'protected').map((m) => m.name);
    for (const name of ['url', 'userName', 'token', 'strings', 'titleBadge', 'notify', 'sharedConnection', 'sharing', 'status', 'roster', 'unread', 'messages', 'send', 'reconnect', 'clear']) {
      assert.ok(publicMembers.includes(name), `member ${name}`);
    }
    const events = Object.fromEntries(panel.events!.map((e) => [e.name, e.type?.text]));
    assert.deepEqual(
      Object.fromEntries(Object.entries(events).filter(([name]) => name !== 'ws-chat-gap')),
      {
        'ws-chat-message': 'ChatMessageEvent',
        'ws-chat-sent': 'ChatSentEvent',
        'ws-chat-status': 'ChatStatusEvent',
        'ws-chat-presence': 'ChatPresenceEvent',
        'ws-chat-error': 'ChatErrorEvent',
        'ws-chat-unread': 'ChatUnreadEvent',
        'ws-chat-typing': 'ChatTypingEvent',
      },
    );
    assert.deepEqual(panel.slots!.map((s) => s.name).sort(), ['empty', 'title']);
    for (const part of ['header', 'stream', 'message', 'bubble', 'roster', 'typing', 'composer', 'input', 'send-button', 'unread', 'notify-offer']) {
      assert.ok(panel.cssParts!.some((p) => p.name === part), `part ${part}`);
    }
    assert.ok(panel.cssProperties!.length >= 18);
    assert.ok(panel.cssProperties!.every((p) => p.name.startsWith('--ws-chat-panel-')));
  });

  it('documents <message-center-provider> and its bus property', () => {
    const provider = element(manifest!, 'message-center-provider');
    assert.ok(provider.members!.some((m) => m.name === 'bus' && m.kind === 'field'));
    assert.deepEqual(provider.slots!.map((s) => s.name), ['']);
  });
});
