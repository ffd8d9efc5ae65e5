import { expect } from '@open-wc/testing';
import { createMessageCenter, getDefaultMessageCenter, type BusErrorDetail } from '../../src/index.js';

interface TestEvents {
  greet: { name: string };
  count: number;
  ping: undefined;
  'bus:error': BusErrorDetail;
}

describe('createMessageCenter', () => {
  it('delivers a payload to every handler of its type, and only of its type', () => {
    const bus = createMessageCenter<TestEvents>();
    const seen: string[] = [];
    bus.on('greet', ({ name }) => seen.push(`a:${name}`));
    bus.on('greet', ({ name }) => seen.push(`b:${name}`));
    bus.on('count', (n) => seen.push(`count:${n}`));
    bus.emit('greet', { name: 'Ada' });
    expect(seen).to.deep.equal(['a:Ada', 'b:Ada']);
  });

  it('emits events without a payload', () => {
    const bus = createMessageCenter<TestEvents>();
    let calls = 0;
    bus.on('ping', () => calls++);
    bus.emit('ping');
    expect(calls).to.equal(1);
  });

  it('unsubscribing one handler leaves the others of the same type', () => {
    const bus = createMessageCenter<TestEvents>();
    const seen: string[] = [];
    const first = (n: number) => seen.push(`first:${n}`);
    const unsubscribeSecond = bus.on('count', (n) => seen.push(`second:${n}`));
    bus.on('count', first);
    bus.on('count', (n) => seen.push(`third:${n}`));
    unsubscribeSecond();
    unsubscribeSecond(); // twice is harmless and removes nothing else
    bus.off('count', first);
    bus.emit('count', 1);
    expect(seen).to.deep.equal(['third:1']);
    expect(bus.listenerCount('count')).to.equal(1);
  });

  it('removes one registration at a time when the same handler was added twice', () => {
    const bus = createMessageCenter<TestEvents>();
    let calls = 0;
    const handler = () => calls++;
    const offA = bus.on('count', handler);
    bus.on('count', handler);
    offA();
    bus.emit('count', 1);
    expect(calls).to.equal(1);
  });

  it('refuses off(type) without a handler instead of silencing every subscriber', () => {
    const bus = createMessageCenter<TestEvents>();
    let calls = 0;
    bus.on('count', () => calls++);
    // @ts-expect-error the handler is required
    expect(() => bus.off('count')).to.throw(TypeError, /needs the handler/);
    bus.emit('count', 1);
    expect(calls).to.equal(1);
  });

  it('once runs a handler for the next event only, and can be cancelled', () => {
    const bus = createMessageCenter<TestEvents>();
    const seen: number[] = [];
    bus.once('count', (n) => seen.push(n));
    const cancel = bus.once('count', (n) => seen.push(n * 100));
    cancel();
    bus.emit('count', 1);
    bus.emit('count', 2);
    expect(seen).to.deep.equal([1]);
    expect(bus.listenerCount('count')).to.equal(0);
  });

  it('a throwing handler neither stops the others nor throws into emit, and is reported on bus:error', () => {
    const bus = createMessageCenter<TestEvents>();
    const seen: string[] = [];
    const errors: BusErrorDetail[] = [];
    bus.on('bus:error', (detail) => errors.push(detail));
    bus.on('count', () => seen.push('before'));
    bus.on('count', () => {
      throw new Error('boom');
    });
    bus.on('count', () => seen.push('after'));
    expect(() => bus.emit('count', 1)).not.to.throw();
    expect(seen).to.deep.equal(['before', 'after']);
    expect(errors).to.have.length(1);
    expect(errors[0]!.type).to.equal('count');
    expect((errors[0]!.error as Error).message).to.equal('boom');
  });

  it('logs to the console when nobody listens on bus:error, and a throwing bus:error handler cannot loop', () => {
    const bus = createMessageCenter<TestEvents>();
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      bus.on('count', () => {
        throw new Error('unheard');
      });
      bus.emit('count', 1);
      bus.on('bus:error', () => {
        throw new Error('error handler broke');
      });
      bus.emit('count', 2);
    } finally {
      console.error = original;
    }
    expect(logged.map((args) => (args[1] as Error).message)).to.deep.equal(['unheard', 'error handler broke']);
  });

  it('wildcard handlers see every event with its name, and isolate their errors too', () => {
    const bus = createMessageCenter<TestEvents>();
    const seen: Array<[string, unknown]> = [];
    const errors: BusErrorDetail[] = [];
    bus.on('bus:error', (detail) => errors.push(detail));
    const off = bus.on('*', (type, payload) => {
      seen.push([String(type), payload]);
      if (type === 'count') throw new Error('wild');
    });
    bus.emit('greet', { name: 'Lin' });
    bus.emit('count', 3);
    off();
    bus.emit('count', 4);
    expect(seen.slice(0, 2)).to.deep.equal([
      ['greet', { name: 'Lin' }],
      ['count', 3],
    ]);
    expect(errors.map((e) => e.type)).to.include('count');
  });

  it('rejects a handler that is not a function with a TypeError', () => {
    const bus = createMessageCenter<TestEvents>();
    // @ts-expect-error not a function
    expect(() => bus.on('count', 'nope')).to.throw(TypeError, /needs a function/);
  });
});

describe('getDefaultMessageCenter', () => {
  it('is one page-wide bus, shared through a registered global symbol', () => {
    const bus = getDefaultMessageCenter();
    expect(getDefaultMessageCenter()).to.equal(bus);
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('message-center.default-bus')]).to.equal(bus);
  });
});
