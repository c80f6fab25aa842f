import type { LimitWindow } from './partner-limits';

/** The window `now` falls in: an id that names it in storage keys, and the instant it ends. */
export interface WindowSpan {
  /** Epoch ms of the start for minutes and hours (`m…`, `h…`), the business date for days (`d2024-03-31`). */
  readonly id: string;
  readonly endMs: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** A calendar day lasts at most 25 h under DST; a few historic zone changes repeated a whole date. */
const DAY_SEARCH_STEP_MS = 26 * HOUR_MS;
const DAY_SEARCH_MAX_STEPS = 4;

/**
 * Fixed rate-limit windows. Minutes and hours are aligned to the epoch, so every instance computes the
 * same boundaries; days are calendar days in the business time zone, whose end is found by searching for
 * the first millisecond with another local date — correct for any IANA zone, including DST changes and
 * zones whose midnight is skipped (the day then ends at 01:00).
 */
export class FixedWindows {
  private readonly dateFormat: Intl.DateTimeFormat;
  /** The current business day's end is the same for every request of that day. */
  private cachedDay: { date: string; endMs: number } | null = null;

  constructor(readonly timeZone: string) {
    this.dateFormat = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  current(window: LimitWindow, nowMs: number): WindowSpan {
    switch (window) {
      case 'minute':
        return epochAligned('m', MINUTE_MS, nowMs);
      case 'hour':
        return epochAligned('h', HOUR_MS, nowMs);
      case 'day': {
        const date = this.businessDate(nowMs);
        if (this.cachedDay?.date !== date || nowMs >= this.cachedDay.endMs) {
          this.cachedDay = { date, endMs: this.dayEnd(nowMs, date) };
        }
        return { id: `d${date}`, endMs: this.cachedDay.endMs };
      }
    }
  }

  /** YYYY-MM-DD of `atMs` in the business time zone. */
  businessDate(atMs: number): string {
    return this.dateFormat.format(atMs);
  }

  /** The first millisecond after `nowMs` whose business date is not `date`. */
  private dayEnd(nowMs: number, date: string): number {
    let lo = nowMs;
    let hi = nowMs + DAY_SEARCH_STEP_MS;
    for (let step = 1; this.businessDate(hi) === date; step++) {
      if (step >= DAY_SEARCH_MAX_STEPS) throw new Error(`no end of business day ${date} found in ${this.timeZone}`);
      lo = hi;
      hi += DAY_SEARCH_STEP_MS;
    }
    // Invariant: the date at lo is `date`, at hi it is not.
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.businessDate(mid) === date) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}

function epochAligned(prefix: string, lengthMs: number, nowMs: number): WindowSpan {
  const startMs = Math.floor(nowMs / lengthMs) * lengthMs;
  return { id: `${prefix}${startMs}`, endMs: startMs + lengthMs };
}
