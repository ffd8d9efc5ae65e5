// The consumer project of scripts/consumer-test.ts: what a user of the package
// writes, as files in a folder outside this repository. It imports the package
// only by its name; its own tools (Vite, TypeScript, React's types, Vue) are
// its own devDependencies, at the versions of our lockfile so that the npm
// cache has them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readmeSnippet } from '../readme-snippets.js';

const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};

/** The version our lockfile holds of `name`. */
function locked(name: string): string {
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`package-lock.json has no ${name}`);
  return version;
}

/** The consumer's own tools, for building, typechecking and talking to a relay from Node. */
const DEV_DEPENDENCIES = ['vite', 'typescript', 'react', '@types/react', 'vue', 'ws'];

/** The README's relay address in its snippets, replaced by the test relay's. */
export const README_RELAY = 'localhost:3001';

/** What the README prints for the package: its install line, its app snippets, its page-bus snippet. */
export function readmeParts() {
  const install = readmeSnippet('### In an app', 'sh', (code) => code.includes('npm install'));
  const name = /^npm install (\S+)$/m.exec(install)?.[1];
  if (!name) throw new Error(`the README's install line is not "npm install NAME": ${install.trim()}`);
  return {
    /** The name `npm install` is given. */
    name,
    /** `import '…/define'` for an app. */
    appScript: readmeSnippet('### In an app', 'ts'),
    /** The elements in the app's page. */
    appHtml: readmeSnippet('### In an app', 'html'),
    /** The page bus, from the npm import. */
    pageBus: readmeSnippet('### The page bus', 'ts'),
    /** The production script tag, with a pinned version and its integrity. */
    pinnedScript: readmeSnippet('### One script tag', 'html', (code) => code.includes('integrity=')),
  };
}

const TSCONFIG_BASE = {
  target: 'ES2022',
  lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  strict: true,
  noEmit: true,
  jsx: 'react-jsx',
  types: [],
};

const tsconfig = (options: Record<string, unknown>) =>
  `${JSON.stringify({ compilerOptions: { ...TSCONFIG_BASE, ...options }, include: ['types', 'main.ts', 'readme-page-bus.ts'] }, null, 2)}\n`;

/** The files under types/: one per kind of TypeScript user. Each `@ts-expect-error` fails the check if a type went loose. */
const TYPE_USERS: Record<string, string> = {
  'types/react-user.tsx': `
import type { ComponentProps } from 'react';
import { createMessageCenter, type ChatMessageEvent } from 'lit-message-center';
import { MessageCenterProvider, WsChatPanel } from 'lit-message-center/react';

export function Chat() {
  return (
    <MessageCenterProvider bus={createMessageCenter()}>
      <WsChatPanel
        url="ws://localhost:3001/"
        userName="Ada"
        maxMessages={50}
        onWsChatMessage={(event) => {
          const text: string = event.detail.text;
          const typed: ChatMessageEvent = event;
          void text;
          void typed;
        }}
      />
    </MessageCenterProvider>
  );
}

// @ts-expect-error maxMessages is a number
export const badProps: ComponentProps<typeof WsChatPanel> = { maxMessages: '50' };
`,
  'types/vue-user.ts': `
import type { GlobalComponents } from 'vue';
import type {} from 'lit-message-center/vue';

type Panel = InstanceType<GlobalComponents['ws-chat-panel']>;
export const props: Panel['$props'] = { url: 'ws://localhost:3001/', userName: 'Ada', maxMessages: 50, theme: 'dark' };
// @ts-expect-error maxMessages is a number
export const badProps: Panel['$props'] = { maxMessages: '50' };
`,
  'types/element-user.ts': `
import 'lit-message-center/define';
import type { MessageCenterProvider, WsChatPanel } from 'lit-message-center';

const panel = document.createElement('ws-chat-panel');
export const typed: WsChatPanel = panel;
panel.userName = 'Ada';
panel.addEventListener('ws-chat-message', (event) => {
  const text: string = event.detail.text;
  void text;
});
panel.addEventListener('ws-chat-status', (event) => {
  const status: 'connecting' | 'online' | 'reconnecting' | 'offline' = event.detail.status;
  void status;
});
// @ts-expect-error a message's detail has no such field
panel.addEventListener('ws-chat-message', (event) => event.detail.noSuchField);
export const provider: MessageCenterProvider | null = document.querySelector('message-center-provider');
`,
};

/** Writes `files` (paths relative to `root`). */
function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/**
 * Writes the consumer project into `root`: package.json, the Vite app (two
 * pages from the README's snippets, the page of Ada and of Bob, talking to
 * the relay at `relayHost`), the TypeScript users and the Node checks.
 */
export function writeConsumerProject(root: string, relayHost: string): void {
  const readme = readmeParts();
  const page = (name: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${name}</title>
    <script type="module" src="./main.ts"></script>
  </head>
  <body>
${readme.appHtml.replaceAll(README_RELAY, relayHost).replaceAll('"Ada"', `"${name}"`)}  </body>
</html>
`;
  write(root, {
    'package.json': `${JSON.stringify(
      {
        name: 'consumer',
        private: true,
        type: 'module',
        devDependencies: Object.fromEntries(DEV_DEPENDENCIES.map((name) => [name, locked(name)])),
      },
      null,
      2,
    )}\n`,
    'index.html': page('Ada'),
    'bob.html': page('Bob'),
    'main.ts': readme.appScript,
    'vite.config.mjs': `export default { build: { rolldownOptions: { input: { ada: 'index.html', bob: 'bob.html' } } } };\n`,
    'readme-page-bus.ts': readme.pageBus,
    // The same snippet, as Node runs it: it is plain JavaScript.
    'readme-page-bus.mjs': readme.pageBus,
    ...TYPE_USERS,
    // As \`npm create vite\` writes it: declaration files are not checked themselves.
    'tsconfig.bundler.json': tsconfig({ module: 'ESNext', moduleResolution: 'bundler', skipLibCheck: true }),
    // The stricter resolution also checks every declaration file it reaches, ours
    // included: an import our .d.ts files make that node16 cannot resolve fails here.
    'tsconfig.node16.json': tsconfig({ module: 'node16', moduleResolution: 'node16', skipLibCheck: false }),
    'check-ssr.mjs': CHECK_SSR,
    'welcome.mjs': WELCOME,
    'check-server.mjs': CHECK_SERVER,
  });
}

/** Node with no DOM imports the main entry and the protocol, as server-side rendering does. */
const CHECK_SSR = `
import assert from 'node:assert/strict';
const main = await import('lit-message-center');
const protocol = await import('lit-message-center/protocol');
assert.equal(typeof globalThis.window, 'undefined', 'nothing created window');
assert.equal(typeof globalThis.document, 'undefined', 'nothing created document');
for (const name of ['createMessageCenter', 'getDefaultMessageCenter', 'WsChatPanel', 'MessageCenterProvider', 'BusController']) {
  assert.ok(name in main, 'lit-message-center exports ' + name);
}
assert.equal(globalThis.customElements?.get('ws-chat-panel'), undefined, 'the main entry registers nothing');
assert.equal(protocol.SUBPROTOCOL_V1, 'message-center.v1');
assert.equal(typeof protocol.decodeServerFrame, 'function');
console.log(Object.keys(main).length + ' exports, ' + Object.keys(protocol).length + ' in /protocol');
`;

/** Says hello to a relay over the package's protocol and resolves with its welcome. */
const WELCOME = `
import WebSocket from 'ws';
import { SUBPROTOCOL_V1, decodeServerFrame } from 'lit-message-center/protocol';

export function welcome(url, name) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, [SUBPROTOCOL_V1]);
    const timer = setTimeout(() => fail(new Error('no welcome from ' + url + ' within 15 s')), 15_000);
    const fail = (error) => { clearTimeout(timer); socket.terminate(); reject(error); };
    socket.on('error', fail);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', name })));
    socket.on('message', (data) => {
      const decoded = decodeServerFrame(String(data));
      if (!decoded.ok || decoded.frame.type !== 'welcome') return;
      clearTimeout(timer);
      socket.close();
      resolve(decoded.frame);
    });
  });
}

// Run directly: node welcome.mjs URL prints the welcome's self.
if (process.argv[2]) console.log(JSON.stringify((await welcome(process.argv[2], 'Node')).self));
`;

/** lit-message-center/server starts a relay on a free port, and a client is welcomed. */
const CHECK_SERVER = `
import { createRelayServer } from 'lit-message-center/server';
import { welcome } from './welcome.mjs';
const relay = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false });
try {
  const frame = await welcome('ws://127.0.0.1:' + relay.port + '/', 'Node');
  console.log('port ' + relay.port + ', welcome for ' + frame.self.name);
} finally {
  await relay.close();
}
`;
