// The demo page's own code: plain JavaScript on top of the script-tag build.
// It uses only public API: the elements' attributes, the provider's bus and
// the relay's demo controls (enabled by `npm start`, i.e. --demo).

const TEXT = {
  en: {
    heading: 'Message Center',
    tagline: 'Two people, one relay, one page-wide message bus.',
    language: 'Language',
    theme: 'Theme',
    themeAuto: 'System',
    themeLight: 'Light',
    themeDark: 'Dark',
    peopleHeading: 'Chat panels',
    hintPrivate: 'Pick someone in a panel’s “online” list to write privately.',
    hintWindow: 'Open another person in a new window',
    relayHeading: 'Relay',
    relayText: 'Cut a connection or restart the relay and watch the panels reconnect. Messages typed meanwhile wait and go out afterwards.',
    drop: (name) => `Drop ${name}’s connection`,
    restart: 'Restart the relay',
    restarting: 'Relay restarting…',
    dropped: (name, n) => `Dropped ${n} connection(s) of ${name}.`,
    fromCode: 'Send from page code (bus)',
    fromCodeMessage: (name) => `Hello from page code, via ${name}’s panel`,
    logHeading: 'Events on the bus',
    clear: 'Clear',
    failed: 'The relay did not answer (is this page served by npm start?).',
  },
  'zh-CN': {
    heading: '消息中心',
    tagline: '两个人，一个中继，一条页面级消息总线。',
    language: '语言',
    theme: '主题',
    themeAuto: '跟随系统',
    themeLight: '浅色',
    themeDark: '深色',
    peopleHeading: '聊天面板',
    hintPrivate: '在面板的“在线”列表中选择某人即可发私信。',
    hintWindow: '在新窗口中打开另一个人',
    relayHeading: '中继服务器',
    relayText: '断开某个连接或重启中继，看面板如何重新连接。期间输入的消息会保留，恢复后发出。',
    drop: (name) => `断开 ${name} 的连接`,
    restart: '重启中继',
    restarting: '中继正在重启…',
    dropped: (name, n) => `已断开 ${name} 的 ${n} 个连接。`,
    fromCode: '从页面代码发送（总线）',
    fromCodeMessage: (name) => `来自页面代码的问候，经由 ${name} 的面板`,
    logHeading: '总线上的事件',
    clear: '清空',
    failed: '中继没有响应（此页面是由 npm start 提供的吗？）。',
  },
};

const params = new URLSearchParams(location.search);
const single = params.get('name');
const people = single ? [single] : ['Ada', '李雷'];
/** The page offers English and Simplified Chinese: any other Chinese (`zh`, `zh-TW`) gets the Chinese, anything else the English. */
const offered = (language) => (language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en');
const state = {
  lang: offered(params.get('lang') || navigator.language),
  theme: params.get('theme') || 'auto',
};
const t = () => TEXT[state.lang] ?? TEXT.en;

const provider = document.getElementById('provider');
const panelsBox = document.getElementById('panels');
const log = document.getElementById('log');
const relayStatus = document.getElementById('relay-status');

// ── the panels ────────────────────────────────────────────────────────────
for (const name of people) {
  const panel = document.createElement('ws-chat-panel');
  panel.id = `panel-${people.indexOf(name)}`;
  panel.setAttribute('user-name', name);
  panel.setAttribute('lang', state.lang);
  panel.setAttribute('theme', state.theme);
  panelsBox.append(panel);
}
const panels = () => [...document.querySelectorAll('ws-chat-panel')];

// ── the bus, live ─────────────────────────────────────────────────────────
const MAX_LOG = 200;
provider.bus.on('*', (type, payload) => {
  const item = document.createElement('li');
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString(state.lang, { hour12: false });
  const name = document.createElement('code');
  name.className = `type type-${String(type).split(':')[1] ?? 'other'}`;
  name.textContent = String(type);
  const detail = document.createElement('span');
  detail.className = 'detail';
  detail.textContent = clip(summarize(type, payload));
  item.append(time, name, detail);
  log.prepend(item);
  while (log.childElementCount > MAX_LOG) log.lastElementChild.remove();
});

// The log shows the start of a long event: laid out whole, a 64 KB message
// (the most the relay accepts) took 30–45 ms of layout on its own, measured.
const LOG_TEXT = 200;
function clip(text) {
  if (text.length <= LOG_TEXT) return text;
  const cut = /[\uD800-\uDBFF]/.test(text[LOG_TEXT - 1]) ? LOG_TEXT - 1 : LOG_TEXT;
  return `${text.slice(0, cut)}… (${text.length.toLocaleString(state.lang)})`;
}

function summarize(type, payload) {
  const who = payload?.panel ? `${panelName(payload.panel)}: ` : '';
  switch (type) {
    case 'chat:message':
    case 'chat:sent':
      return `${who}${payload.own ? '→' : payload.from?.name + ' →'} ${payload.to ? '🔒 ' : ''}“${payload.text}”${payload.offset !== undefined ? ` #${payload.offset}` : ''}`;
    case 'chat:status':
      return `${who}${payload.status}${payload.retryAt ? ` (retry in ${Math.max(0, Math.round((payload.retryAt - Date.now()) / 100) / 10)} s)` : ''}`;
    case 'chat:presence':
      return `${who}${payload.kind}${payload.peer ? ` ${payload.peer.name}` : ''} · ${payload.count} online`;
    case 'chat:error':
      return `${who}${payload.code}: ${payload.message}`;
    case 'chat:send':
      return `${payload.panel ? `via ${panelName(payload.panel)}: ` : ''}“${payload.data}”`;
    default:
      return JSON.stringify(payload);
  }
}

function panelName(id) {
  return document.getElementById(id)?.getAttribute('user-name') ?? id;
}

// ── relay controls ────────────────────────────────────────────────────────
async function control(path) {
  try {
    const response = await fetch(path, { method: 'POST' });
    if (!response.ok) throw new Error(String(response.status));
    return await response.json();
  } catch {
    relayStatus.textContent = t().failed;
    return undefined;
  }
}

function renderDropButtons() {
  const box = document.getElementById('drop-buttons');
  box.replaceChildren(
    ...people.map((name) => {
      const button = document.createElement('button');
      button.textContent = t().drop(name);
      button.addEventListener('click', async () => {
        const result = await control(`/demo/drop?name=${encodeURIComponent(name)}`);
        if (result) relayStatus.textContent = t().dropped(name, result.dropped);
      });
      return button;
    }),
  );
}

document.getElementById('restart').addEventListener('click', async () => {
  const result = await control('/demo/restart?downtime=3000');
  if (result) relayStatus.textContent = t().restarting;
});

document.getElementById('from-code').addEventListener('click', () => {
  const panel = panels()[0];
  provider.bus.emit('chat:send', { data: t().fromCodeMessage(panel.getAttribute('user-name')), panel: panel.id });
});

document.getElementById('clear-log').addEventListener('click', () => log.replaceChildren());

// ── language and theme ────────────────────────────────────────────────────
const langSelect = document.getElementById('lang');
const themeSelect = document.getElementById('theme');
langSelect.value = state.lang;
themeSelect.value = state.theme;

function applyLanguage() {
  document.documentElement.lang = state.lang;
  const text = t();
  for (const element of document.querySelectorAll('[data-i18n]')) {
    const value = text[element.dataset.i18n];
    if (typeof value === 'string') element.textContent = value;
  }
  for (const panel of panels()) panel.setAttribute('lang', state.lang);
  document.title = `${text.heading} — demo`;
  renderDropButtons();
  const link = document.getElementById('single-link');
  link.href = `?name=${encodeURIComponent(state.lang === 'zh-CN' ? '韩梅梅' : 'Carol')}&lang=${state.lang}`;
}

function applyTheme() {
  document.documentElement.dataset.theme = state.theme;
  for (const panel of panels()) panel.setAttribute('theme', state.theme);
}

langSelect.addEventListener('change', () => {
  state.lang = langSelect.value;
  applyLanguage();
});
themeSelect.addEventListener('change', () => {
  state.theme = themeSelect.value;
  applyTheme();
});

applyLanguage();
applyTheme();
if (single) document.body.classList.add('single');
