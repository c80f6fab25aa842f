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
