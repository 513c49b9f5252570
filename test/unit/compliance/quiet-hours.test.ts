import { nextSendingTime, zonedTime } from '../../../src/compliance/quiet-hours';

const NEW_YORK = { from: '08:00', to: '21:00', timeZone: 'America/New_York' };

describe('nextSendingTime', () => {
  test('during the day: now', () => {
    const noon = new Date('2026-11-23T17:00:00Z'); // 12:00 in New York (EST)
    expect(nextSendingTime(noon, NEW_YORK)).toBe(noon);
    const justOpen = new Date('2026-11-23T13:00:00Z'); // 08:00
    expect(nextSendingTime(justOpen, NEW_YORK)).toBe(justOpen);
  });

  test('late evening: 8 am the next local day', () => {
    expect(nextSendingTime(new Date('2026-11-24T02:00:00Z'), NEW_YORK)).toEqual(new Date('2026-11-24T13:00:00Z')); // 21:00 Nov 23
    expect(nextSendingTime(new Date('2026-11-24T04:30:00Z'), NEW_YORK)).toEqual(new Date('2026-11-24T13:00:00Z')); // 23:30 Nov 23
  });

  test('early morning: 8 am the same local day', () => {
    expect(nextSendingTime(new Date('2026-11-24T10:00:00Z'), NEW_YORK)).toEqual(new Date('2026-11-24T13:00:00Z')); // 05:00
  });

  test('the patient time zone decides, not the server clock', () => {
    const instant = new Date('2026-11-24T03:30:00Z'); // 22:30 in New York, 19:30 in Los Angeles
    expect(nextSendingTime(instant, NEW_YORK)).not.toBe(instant);
    expect(nextSendingTime(instant, { ...NEW_YORK, timeZone: 'America/Los_Angeles' })).toBe(instant);
  });

  test('across a daylight-saving change the local clock time is kept', () => {
    // The night US clocks go back (Nov 1 2026, 2:00 EDT → 1:00 EST): 8 am is then 13:00 UTC, not 12:00.
    expect(nextSendingTime(new Date('2026-11-01T03:00:00Z'), NEW_YORK)).toEqual(new Date('2026-11-01T13:00:00Z'));
    // Spring forward (Mar 8 2026): 8 am EDT is 12:00 UTC.
    expect(nextSendingTime(new Date('2026-03-08T05:00:00Z'), NEW_YORK)).toEqual(new Date('2026-03-08T12:00:00Z'));
  });
});

describe('zonedTime', () => {
  test('the instant a local clock shows a time', () => {
    expect(zonedTime('2026-07-04', '08:00', 'America/New_York')).toEqual(new Date('2026-07-04T12:00:00Z'));
    expect(zonedTime('2026-07-04', '08:00', 'Asia/Kolkata')).toEqual(new Date('2026-07-04T02:30:00Z'));
  });
});
