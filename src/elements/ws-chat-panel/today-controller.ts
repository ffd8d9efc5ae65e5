import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { dayNumber, type Today } from './days.js';

/**
 * Which day is today, for the log's day separators: "Today" becomes
 * "Yesterday" at midnight without a reload (one timer, to the next
 * midnight), and at the latest on the next render after a sleep that
 * outlived the timer.
 */
export class TodayController implements ReactiveController, Today {
  today = 0;
  yesterday = 0;
  year = 0;
  /** The next midnight (ms since the epoch). */
  #until = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #host: ReactiveControllerHost;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    this.#refresh();
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  hostUpdate(): void {
    if (Date.now() >= this.#until) this.#refresh();
  }

  #refresh(): void {
    const now = new Date();
    const [year, month, date] = [now.getFullYear(), now.getMonth(), now.getDate()];
    this.today = dayNumber(now);
    // Built from the calendar, not by subtracting 24 hours: a day with a DST change is 23 or 25 hours long.
    this.yesterday = dayNumber(new Date(year, month, date - 1));
    this.year = year;
    this.#until = new Date(year, month, date + 1).getTime();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#refresh();
      this.#host.requestUpdate();
    }, this.#until - now.getTime());
  }
}
