import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** "Today" is always the business date in BUSINESS_TZ. */
@Injectable()
export class BusinessClock {
  private readonly dateFormat: Intl.DateTimeFormat;

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
    return this.dateFormat.format(at);
  }

  today(): string {
    return this.businessDate();
  }

  /** YYYYMMDD, the wire form of a business date. */
  todayCompact(): string {
    return this.today().replaceAll('-', '');
  }
}
