import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** "Today" is always the business date in BUSINESS_TZ. */
@Injectable()
export class BusinessClock {
  private readonly dateFormat: Intl.DateTimeFormat;
  /** The last minute formatted: every time zone's midnight falls on a whole minute, so its date holds for all of it. */
  private lastMinute = { minute: Number.NaN, date: '' };
  private window: { today: string; dates: ReadonlySet<string> } = { today: '', dates: new Set() };

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'businessTz'>) {
    this.dateFormat = new Intl.DateTimeFormat('en-CA', {
      timeZone: config.businessTz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  }

  now(): Date {
    return new Date();
  }

  /** YYYY-MM-DD of `at` in the business time zone. */
  businessDate(at: Date = this.now()): string {
    const minute = Math.floor(at.getTime() / 60_000);
    if (minute !== this.lastMinute.minute) this.lastMinute = { minute, date: this.dateFormat.format(at) };
    return this.lastMinute.date;
  }

  today(): string {
    return this.businessDate();
  }

  /** The TranDates a request may carry (CONTRACT §1): yesterday, today and tomorrow as YYYYMMDD. */
  tranDateWindow(): ReadonlySet<string> {
    const today = this.today();
    if (this.window.today !== today) {
      const midnight = Date.parse(`${today}T00:00:00Z`);
      const compact = (offsetDays: number) => new Date(midnight + offsetDays * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
      this.window = { today, dates: new Set([compact(-1), compact(0), compact(1)]) };
    }
    return this.window.dates;
  }

  /** YYYYMMDD, the wire form of a business date. */
  todayCompact(): string {
    return this.today().replaceAll('-', '');
  }
}
