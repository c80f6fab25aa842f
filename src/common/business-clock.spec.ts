import { BusinessClock } from './business-clock';

describe('BusinessClock', () => {
  const clock = new BusinessClock({ businessTz: 'Asia/Shanghai' });

  it('gives the calendar day in the business time zone, also at its midnight', () => {
    // 2026-11-23T16:00Z is midnight in Shanghai (UTC+8).
    expect(clock.businessDate(new Date('2026-11-23T15:59:59.999Z'))).toBe('2026-11-23');
    expect(clock.businessDate(new Date('2026-11-23T16:00:00.000Z'))).toBe('2026-11-24');
    expect(clock.businessDate(new Date('2026-11-23T15:59:00.000Z'))).toBe('2026-11-23');
  });

  it('answers from its memory only within the same minute', () => {
    const days = ['2026-01-01T03:00:10Z', '2026-06-30T20:30:00Z', '2026-01-01T03:00:50Z', '2026-06-30T20:30:59Z'];
    expect(days.map((at) => clock.businessDate(new Date(at)))).toEqual(['2026-01-01', '2026-07-01', '2026-01-01', '2026-07-01']);
  });

  it('works for a zone with a half-hour offset', () => {
    const kolkata = new BusinessClock({ businessTz: 'Asia/Kolkata' });
    // Midnight in Kolkata (UTC+5:30) is 18:30Z.
    expect(kolkata.businessDate(new Date('2026-03-01T18:29:59Z'))).toBe('2026-03-01');
    expect(kolkata.businessDate(new Date('2026-03-01T18:30:00Z'))).toBe('2026-03-02');
  });

  it('refuses an invalid date as before', () => {
    expect(() => clock.businessDate(new Date('garbage'))).toThrow(RangeError);
  });
});

describe('BusinessClock.tranDateWindow', () => {
  const at = (iso: string) => {
    const clock = new BusinessClock({ businessTz: 'Asia/Shanghai' });
    clock.now = () => new Date(iso);
    return clock;
  };

  it('is yesterday, today and tomorrow of the business date, across month and year ends', () => {
    expect([...at('2026-11-23T10:00:00Z').tranDateWindow()]).toEqual(['20261122', '20261123', '20261124']);
    // 2026-12-31T16:30Z is already 2027-01-01 in Shanghai.
    expect([...at('2026-12-31T16:30:00Z').tranDateWindow()]).toEqual(['20261231', '20270101', '20270102']);
    expect([...at('2028-02-29T12:00:00Z').tranDateWindow()]).toEqual(['20280228', '20280229', '20280301']);
  });

  it('follows the business date when it changes', () => {
    let now = new Date('2026-11-23T15:59:00Z');
    const clock = new BusinessClock({ businessTz: 'Asia/Shanghai' });
    clock.now = () => now;
    expect(clock.tranDateWindow().has('20261122')).toBe(true);
    now = new Date('2026-11-23T16:00:00Z');
    expect(clock.tranDateWindow().has('20261122')).toBe(false);
    expect(clock.tranDateWindow().has('20261125')).toBe(true);
  });
});
