import mitt, { type Emitter, type Handler } from 'mitt';
import type { MessageCenterEvents } from '../index.js';

export type EventName = keyof MessageCenterEvents;

/** Calling it removes exactly the handler it was returned for, never another. */
export type Unsubscribe = () => void;

/** A handler of every event: receives the event name and its payload. */
export type WildcardHandler<Events = MessageCenterEvents> = <K extends keyof Events>(
  type: K,
  payload: Events[K],
) => void;

/**
 * A typed, page-wide publish/subscribe bus over mitt.
 *
 * Differences from a bare mitt emitter, each one a trap it removes:
 * - `on` and `once` return an {@link Unsubscribe}; `off` needs the handler.
 *   mitt's `off(type)` without a handler removes every handler of that type,
 *   so one widget unmounting would silence all the others.
 * - A handler that throws does not stop the handlers after it and does not
 *   throw into the code that called `emit`: the error goes to `bus:error`
 *   (or the console when nobody listens there).
 */
export interface MessageCenter<Events extends object = MessageCenterEvents> {
  on<K extends keyof Events>(type: K, handler: Handler<Events[K]>): Unsubscribe;
  on(type: '*', handler: WildcardHandler<Events>): Unsubscribe;
  once<K extends keyof Events>(type: K, handler: Handler<Events[K]>): Unsubscribe;
  off<K extends keyof Events>(type: K, handler: Handler<Events[K]>): void;
  off(type: '*', handler: WildcardHandler<Events>): void;
  emit<K extends keyof Events>(type: K, payload: Events[K]): void;
  emit<K extends keyof Events>(type: undefined extends Events[K] ? K : never): void;
  /** How many handlers are subscribed to `type` (`'*'` for wildcard handlers). */
  listenerCount(type: keyof Events | '*'): number;
}

type AnyHandler = (...args: never[]) => void;
type Isolated = (...args: unknown[]) => void;

const BUS_ERROR = 'bus:error';

/**
 * Creates a bus. Pass your own event map as the type argument, or extend
 * {@link MessageCenterEvents} by declaration merging to type the default one.
 */
export function createMessageCenter<
  Events extends object = MessageCenterEvents,
>(): MessageCenter<Events> {
  const emitter = mitt<Record<string | symbol, unknown>>() as Emitter<Record<string | symbol, unknown>>;
  // One isolated wrapper per (type, handler) registration, so `off` can find
  // the wrapper mitt knows about. A handler registered twice is wrapped twice
  // and removed one registration at a time, as mitt itself behaves.
  const wrappers = new Map<string | symbol, Map<AnyHandler, Isolated[]>>();

  const report = (type: string | symbol, error: unknown): void => {
    if (type !== BUS_ERROR && (emitter.all.get(BUS_ERROR)?.length ?? 0) > 0) {
      emitter.emit(BUS_ERROR, { type, error });
      return;
    }
    // Nobody handles bus errors (or a bus:error handler itself threw).
    console.error(`[message-center] a handler of "${String(type)}" threw`, error);
  };

  const isolate = (type: string | symbol, handler: AnyHandler): Isolated =>
    type === '*'
      ? (name, payload) => {
          try {
            (handler as unknown as (t: unknown, p: unknown) => void)(name, payload);
          } catch (error) {
            report(name as string | symbol, error);
          }
        }
      : (payload) => {
          try {
            (handler as unknown as (p: unknown) => void)(payload);
          } catch (error) {
            report(type, error);
          }
        };

  const remove = (type: string | symbol, handler: AnyHandler, wrapper?: Isolated): void => {
    const byHandler = wrappers.get(type);
    const list = byHandler?.get(handler);
    if (!byHandler || !list || list.length === 0) return;
    const index = wrapper ? list.indexOf(wrapper) : list.length - 1;
    if (index < 0) return;
    const [removed] = list.splice(index, 1);
    if (list.length === 0) byHandler.delete(handler);
    if (byHandler.size === 0) wrappers.delete(type);
    emitter.off(type, removed as Handler);
  };

  const add = (type: string | symbol, handler: AnyHandler, wrapper: Isolated): Unsubscribe => {
    if (typeof handler !== 'function') {
      throw new TypeError(`message-center: on("${String(type)}", handler) needs a function, got ${typeof handler}`);
    }
    let byHandler = wrappers.get(type);
    if (!byHandler) wrappers.set(type, (byHandler = new Map()));
    const list = byHandler.get(handler) ?? [];
    list.push(wrapper);
    byHandler.set(handler, list);
    emitter.on(type, wrapper as Handler);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      remove(type, handler, wrapper);
    };
  };

  const bus = {
    on(type: string | symbol, handler: AnyHandler): Unsubscribe {
      return add(type, handler, isolate(type, handler));
    },
    once(type: string | symbol, handler: AnyHandler): Unsubscribe {
      if (type === '*') throw new TypeError('message-center: once("*") is not supported; use on("*") and unsubscribe');
      const inner = isolate(type, handler);
      let unsubscribe: Unsubscribe = () => {};
      const wrapper: Isolated = (payload) => {
        unsubscribe();
        inner(payload);
      };
      unsubscribe = add(type, handler, wrapper);
      return unsubscribe;
    },
    off(type: string | symbol, handler: AnyHandler): void {
      if (typeof handler !== 'function') {
        throw new TypeError(
          `message-center: off("${String(type)}") needs the handler to remove. ` +
            'Removing every handler of a type would silence other subscribers; use the function that on() returned.',
        );
      }
      remove(type, handler);
    },
    emit(type: string | symbol, payload?: unknown): void {
      emitter.emit(type, payload);
    },
    listenerCount(type: string | symbol): number {
      return emitter.all.get(type)?.length ?? 0;
    },
  };
  return bus as unknown as MessageCenter<Events>;
}
