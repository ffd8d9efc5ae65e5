// In-page half of bench:panel. Everything is driven from run.ts through
// window.bench; each figure is measured the same way for the panel and for
// the baseline (a plain list that appends one <li> per message).

const stage = document.getElementById('stage');
const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

/**
 * The text of message `i`, with what issue 17 made the panel look for: every
 * fifth has a link, every seventh a mention (with the id on the wire).
 */
function benchText(i) {
  const link = i % 5 === 0 ? ` See https://example.com/docs/${i}?page=2.` : '';
  const mention = i % 7 === 0 ? '@Person 3 ' : '';
  return `${mention}Message number ${i}: the quick brown fox jumps over the lazy dog.${link}`;
}

/** Ten thousand messages at 90 s apart span ten days: the log has a day separator every 960 messages. */
function fakeMessage(i, count) {
  const text = benchText(i);
  return {
    key: `o:${i}`,
    id: `m${i}`,
    offset: i,
    from: { id: `p${i % 7}`, name: `Person ${i % 7}`, addr: '127.0.0.1' },
    data: text,
    text,
    ...(i % 7 === 0 ? { mentions: ['p3'] } : {}),
    ts: Date.now() - (count - i) * 90_000,
    own: false,
  };
}

function plainItem(message) {
  const li = document.createElement('li');
  const who = document.createElement('b');
  who.textContent = `${message.from.name} · ${new Date(message.ts).toLocaleTimeString()}`;
  li.append(who, document.createTextNode(message.text));
  return li;
}

/** A panel on the stage, once it is online as `name`. */
async function onlinePanel(url, name, configure = () => {}) {
  const element = document.createElement('ws-chat-panel');
  element.setAttribute('user-name', name);
  // Issue 17's opt-in features on (read receipts are on by default): the bench holds the panel to its targets with them.
  element.setAttribute('title-badge', '');
  element.setAttribute('notify', '');
  element.url = url;
  configure(element);
  stage.append(element);
  await new Promise((resolve) => {
    const check = () => (element.status === 'online' ? resolve() : setTimeout(check, 20));
    check();
  });
  return element;
}

/** The baseline: a plain list on the stage with a socket of its own; `onMessage` gets each message frame. */
async function plainList(url, onMessage) {
  const element = document.createElement('ul');
  element.className = 'plain';
  stage.append(element);
  const socket = new WebSocket(url, ['message-center.v1']);
  await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
  socket.send(JSON.stringify({ type: 'hello', name: 'reader' }));
  socket.addEventListener('message', (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === 'message') onMessage(frame);
  });
  element.socket = socket;
  return element;
}

/** Appends a message to the plain list, keeping to the bottom as the panel does. */
function showPlain(element, frame) {
  const stick = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
  element.append(plainItem({ ...frame, text: String(frame.data) }));
  if (stick) element.scrollTop = element.scrollHeight;
}

/** Waits until `element` has rendered and two frames have passed; clears the stage; reports the time since `started`. */
async function settled(element, started) {
  await element.updateComplete;
  await frame();
  await frame();
  const ms = performance.now() - started;
  stage.replaceChildren();
  return { ms };
}

/** Counts the browser's long tasks and long animation frames (each over 50 ms) from now until `stop()`. */
function longEntries() {
  const counts = { longtask: 0, 'long-animation-frame': 0 };
  const types = Object.keys(counts);
  const observers = types.map((type) => {
    const observer = new PerformanceObserver((list) => (counts[type] += list.getEntries().length));
    observer.observe({ type, buffered: false });
    return observer;
  });
  return {
    async stop() {
      // A long animation frame is reported once its frame has been presented.
      await new Promise((resolve) => setTimeout(resolve, 100));
      observers.forEach((observer, i) => {
        counts[types[i]] += observer.takeRecords().length;
        observer.disconnect();
      });
      return { longtasks: counts.longtask, longFrames: counts['long-animation-frame'] };
    },
  };
}

window.bench = {
  /**
   * Sets the stage for `render`: the messages, and for the panel an empty one
   * already rendered, so what `render` measures (and run.ts traces) is the
   * history alone.
   */
  async prepare(kind, count) {
    stage.replaceChildren();
    const messages = Array.from({ length: count }, (_, i) => fakeMessage(i + 1, count));
    let element;
    if (kind === 'panel') {
      element = document.createElement('ws-chat-panel');
      element.setAttribute('max-messages', String(count));
      element.url = 'ws://127.0.0.1:9/'; // not connected: rendering only
      stage.append(element);
      await element.updateComplete;
      await frame();
    }
    // Observing from an earlier task: an entry is for a task that ended after the observer began.
    const long = longEntries();
    await frame();
    window.__render = { kind, messages, element, long };
  },

  /**
   * Shows the history `prepare` made: `first` is the time from handing it over
   * to the first frame that shows the newest message; `ms` to the first frame
   * once the panel has done all its work (`updateComplete`: every slice). The
   * browser's own long-task and long-animation-frame entries meanwhile are
   * counted (both report only what took over 50 ms).
   */
  async render() {
    const { kind, messages, long } = window.__render;
    let { element } = window.__render;
    const newest = messages.at(-1).key;
    const t0 = performance.now();
    let first;
    if (kind === 'panel') {
      element.addMessages(messages);
      while (!element.shadowRoot.querySelector(`[data-key="${newest}"]`)) await frame();
      await frame();
      first = performance.now() - t0;
      await element.updateComplete;
    } else {
      element = document.createElement('ul');
      element.className = 'plain';
      const fragment = document.createDocumentFragment();
      for (const message of messages) fragment.append(plainItem(message));
      element.append(fragment);
      stage.append(element);
      element.scrollTop = element.scrollHeight;
    }
    void document.body.offsetHeight; // layout
    await frame();
    const ms = performance.now() - t0;
    first ??= ms;
    const counts = await long.stop();
    const nodes = kind === 'panel' ? element.shadowRoot.querySelectorAll('*').length : element.querySelectorAll('*').length + 1;
    stage.replaceChildren();
    window.__render = undefined;
    return { first, ms, nodes, ...counts };
  },

  /**
   * Connects and reports, while the relay streams `expected` messages at it
   * (and run.ts traces the main thread): frames per second, the browser's
   * long tasks and frames, and how long from the first message's arrival
   * until the last is on screen.
   */
  async stream(kind, url, seconds, expected) {
    stage.replaceChildren();
    let received = 0;
    let firstArrival;
    let element;
    const arrived = () => {
      if (received++ === 0) firstArrival = performance.now();
    };
    if (kind === 'panel') {
      // A new name each time: a panel resumes its name's session, and the relay would replay what came since.
      element = await onlinePanel(url, `reader-${performance.now()}`, (panel) => {
        panel.setAttribute('max-messages', '10000');
        panel.addEventListener('ws-chat-message', arrived);
      });
    } else {
      element = await plainList(url, (frame) => {
        arrived();
        showPlain(element, frame);
      });
    }
    const frames = [];
    let counting = true;
    const count = (now) => {
      frames.push(now);
      if (counting) requestAnimationFrame(count);
    };
    requestAnimationFrame(count);
    window.__ready = true;
    const long = longEntries();
    const deadline = performance.now() + seconds * 1000 + 10_000;
    while (received < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await element.updateComplete;
    await frame();
    const end = performance.now();
    counting = false;
    const counts = await long.stop();
    const inWindow = frames.filter((t) => t >= firstArrival && t <= end).length;
    const nodes = kind === 'panel' ? element.shadowRoot.querySelectorAll('*').length : element.querySelectorAll('*').length + 1;
    element.socket?.close();
    stage.replaceChildren();
    window.__ready = false;
    return { ...counts, received, nodes, showAllMs: end - firstArrival, fps: (inWindow * 1000) / (end - firstArrival) };
  },
  /**
   * Connects, then waits for `count` messages of `length` characters (run.ts
   * sends them once `__ready`, and traces the main thread meanwhile) until two
   * frames after the last is on screen; reports how long that took from the
   * first one's arrival.
   */
  async receive(kind, url, length, count = 1) {
    stage.replaceChildren();
    let element;
    let arrived = 0;
    let received = 0;
    const arrival = () => {
      if (received++ === 0) arrived = performance.now();
      return received === count;
    };
    let done;
    const shown = new Promise((resolve) => (done = resolve));
    if (kind === 'panel') {
      // A new name each time: a panel resumes its name's session, and the relay would replay what came since.
      element = await onlinePanel(url, `reader-${performance.now()}`);
      await element.updateComplete;
      element.addEventListener('ws-chat-message', async (event) => {
        if (event.detail.text.length !== length || !arrival()) return;
        await element.updateComplete;
        done();
      });
    } else {
      element = await plainList(url, (frame) => {
        if (String(frame.data).length !== length) return;
        const last = arrival();
        showPlain(element, frame);
        if (last) done();
      });
    }
    await frame();
    window.__ready = true;
    await shown;
    await frame();
    await frame();
    const ms = performance.now() - arrived;
    element.socket?.close();
    stage.replaceChildren();
    window.__ready = false;
    return { ms };
  },

  /** Puts an empty composer (the panel's, or a plain textarea) in focus; run.ts then pastes. */
  async pasteStart(kind) {
    stage.replaceChildren();
    let element;
    if (kind === 'panel') {
      element = document.createElement('ws-chat-panel');
      element.url = 'ws://127.0.0.1:9/'; // not connected: the composer works offline too
      stage.append(element);
      await element.updateComplete;
      element.shadowRoot.querySelector('textarea').focus();
    } else {
      element = document.createElement('textarea');
      element.className = 'plain-composer';
      stage.append(element);
      element.focus();
    }
    await frame();
    window.__paste = { element, started: performance.now() };
  },

  /** Waits until the pasted text is in the composer and on screen; reports how long since pasteStart. */
  async pasteEnd(length) {
    const { element, started } = window.__paste;
    const textarea = element.shadowRoot?.querySelector('textarea') ?? element;
    while (textarea.value.length !== length) await frame();
    return settled(element, started);
  },

  /**
   * A panel online in `room` of the relay at `url`, its roster open (laid out,
   * as someone watching it would have it), counting its renders; run.ts then
   * lets a crowd into the room and traces `roomJoined()`.
   */
  async roomStart(url, room) {
    const element = await onlinePanel(url, 'Ada', (panel) => panel.setAttribute('room', room));
    await element.updateComplete;
    const toggle = element.shadowRoot.querySelector('.roster-toggle');
    if (toggle.getAttribute('aria-expanded') === 'false') toggle.click();
    await element.updateComplete;
    await frame();
    const counter = { element, renders: 0, started: performance.now() };
    element.addController({ hostUpdated: () => void counter.renders++ });
    window.__room = counter;
  },

  /** Waits until the panel shows `count` online and has rendered it; reports how long since roomStart, and its renders. */
  async roomJoined(count) {
    const { element, started } = window.__room;
    const shown = () => element.shadowRoot.querySelector('[part="count"]')?.textContent.replace(/\D/g, '') === String(count);
    while (!shown()) await frame();
    const { renders } = window.__room;
    return { ...(await settled(element, started)), renders };
  },

  /** Shows a panel holding one long message, collapsed; run.ts then traces `expand()`. */
  async expandStart(text) {
    stage.replaceChildren();
    const element = document.createElement('ws-chat-panel');
    element.url = 'ws://127.0.0.1:9/';
    stage.append(element);
    element.addMessages([{ id: 'long', from: { name: 'Eve' }, data: text, ts: Date.now() }]);
    await element.updateComplete;
    await frame();
    await frame();
    window.__expand = element;
  },

  /** Clicks "show more" and waits until the whole message is on screen; reports how long that took. */
  async expand() {
    const element = window.__expand;
    const started = performance.now();
    element.shadowRoot.querySelector('button.more').click();
    return settled(element, started);
  },
};
