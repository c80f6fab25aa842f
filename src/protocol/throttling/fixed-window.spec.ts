import { FixedWindows } from './fixed-window';

const at = (iso: string) => Date.parse(iso);

describe('FixedWindows', () => {
  it('aligns minutes and hours to the epoch whatever the business time zone', () => {
    const windows = new FixedWindows('Asia/Kolkata');
    const now = at('2024-05-01T10:59:30.250Z');
    expect(windows.current('minute', now)).toEqual({ id: `m${at('2024-05-01T10:59:00Z')}`, endMs: at('2024-05-01T11:00:00Z') });
    expect(windows.current('hour', now)).toEqual({ id: `h${at('2024-05-01T10:00:00Z')}`, endMs: at('2024-05-01T11:00:00Z') });
  });

  it('starts the next minute exactly on the boundary', () => {
    const windows = new FixedWindows('UTC');
    expect(windows.current('minute', at('2024-05-01T10:59:59.999Z')).endMs).toBe(at('2024-05-01T11:00:00Z'));
    expect(windows.current('minute', at('2024-05-01T11:00:00Z')).endMs).toBe(at('2024-05-01T11:01:00Z'));
  });

  it.each<[string, string, string, string]>([
    ['Asia/Shanghai', '2024-05-01T03:00:00Z', '2024-05-01', '2024-05-01T16:00:00Z'],
    ['Asia/Shanghai', '2024-05-01T15:59:59.999Z', '2024-05-01', '2024-05-01T16:00:00Z'],
    ['Asia/Shanghai', '2024-05-01T16:00:00Z', '2024-05-02', '2024-05-02T16:00:00Z'],
    ['UTC', '2024-02-29T12:00:00Z', '2024-02-29', '2024-03-01T00:00:00Z'],
    // Europe/Berlin springs forward on 2024-03-31: a 23-hour day from 23:00Z to 22:00Z.
    ['Europe/Berlin', '2024-03-30T23:00:00Z', '2024-03-31', '2024-03-31T22:00:00Z'],
    ['Europe/Berlin', '2024-03-31T01:30:00Z', '2024-03-31', '2024-03-31T22:00:00Z'],
    ['Europe/Berlin', '2024-03-31T22:00:00Z', '2024-04-01', '2024-04-01T22:00:00Z'],
    // ... and falls back on 2024-10-27: a 25-hour day from 22:00Z to 23:00Z.
    ['Europe/Berlin', '2024-10-26T22:00:00Z', '2024-10-27', '2024-10-27T23:00:00Z'],
    ['Europe/Berlin', '2024-10-27T22:59:59.999Z', '2024-10-27', '2024-10-27T23:00:00Z'],
    // America/Santiago skipped midnight on 2022-09-11: that day began at 01:00 (-03), 04:00Z.
    ['America/Santiago', '2022-09-10T12:00:00Z', '2022-09-10', '2022-09-11T04:00:00Z'],
    ['America/New_York', '2024-11-03T03:59:59Z', '2024-11-02', '2024-11-03T04:00:00Z'],
    ['America/New_York', '2024-11-03T04:00:00Z', '2024-11-03', '2024-11-04T05:00:00Z'],
    // A non-hour offset.
    ['Asia/Kathmandu', '2024-05-01T00:00:00Z', '2024-05-01', '2024-05-01T18:15:00Z'],
    // Samoa skipped 2011-12-30 entirely: the 29th ended at 10:00Z straight into the 31st.
    ['Pacific/Apia', '2011-12-29T20:00:00Z', '2011-12-29', '2011-12-30T10:00:00Z'],
  ])('in %s at %s the business day %s ends at %s', (timeZone, now, date, end) => {
    const windows = new FixedWindows(timeZone);
    expect(windows.current('day', at(now))).toEqual({ id: `d${date}`, endMs: at(end) });
  });

  it('reuses the cached day end within the day and recomputes it on the next', () => {
    const windows = new FixedWindows('Asia/Shanghai');
    expect(windows.current('day', at('2024-05-01T01:00:00Z')).endMs).toBe(at('2024-05-01T16:00:00Z'));
    expect(windows.current('day', at('2024-05-01T15:00:00Z')).endMs).toBe(at('2024-05-01T16:00:00Z'));
    expect(windows.current('day', at('2024-05-01T16:00:00Z')).endMs).toBe(at('2024-05-02T16:00:00Z'));
    expect(windows.current('day', at('2024-04-30T16:00:00Z')).endMs).toBe(at('2024-05-01T16:00:00Z'));
  });
});
