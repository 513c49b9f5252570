import { addBusinessTime, describeOpening, isOpenAt, nextOpening } from '../../../src/handoff/business-hours';
import type { Holiday, PracticeLocation, WeeklyHours } from '../../../src/practice/practice-profile';

// Hours as in the demo practice (America/New_York); November 2026 is EST (UTC−5), most of March and October EDT (UTC−4).
const day = [{ opens: '08:00', closes: '17:00' }];
const closed: never[] = [];
const DEMO_HOURS: WeeklyHours = {
  monday: day,
  tuesday: day,
  wednesday: [{ opens: '08:00', closes: '19:00' }],
  thursday: day,
  friday: day,
  saturday: [{ opens: '09:00', closes: '12:00' }],
  sunday: closed,
};
const DEMO_HOLIDAYS: Holiday[] = [
  { date: '2026-11-26', name: { en: 'Thanksgiving', es: 'Día de Acción de Gracias' }, hours: [] },
  { date: '2026-12-24', name: { en: 'Christmas Eve', es: 'Nochebuena' }, hours: [{ opens: '08:00', closes: '12:00' }] },
  { date: '2026-12-25', name: { en: 'Christmas Day', es: 'Navidad' }, hours: [] },
];

function location(id: string, hours: WeeklyHours, holidays: Holiday[] = []): PracticeLocation {
  return {
    id,
    name: id,
    timeZone: 'America/New_York',
    details: {
      address: { line1: '1200 River Road', city: 'Riverside', state: 'NY', postalCode: '10555' },
      phone: '(555) 010-2000',
      directions: { en: 'Across from the park.', es: 'Frente al parque.' },
      parking: { en: 'Free lot.', es: 'Estacionamiento gratis.' },
      hours,
      holidays,
    },
  };
}

const main = location('main', DEMO_HOURS, DEMO_HOLIDAYS);
const lunch = [
  { opens: '08:00', closes: '12:00' },
  { opens: '13:00', closes: '17:00' },
];
// Closed for lunch and on weekends.
const eastside = location('eastside', {
  monday: lunch,
  tuesday: lunch,
  wednesday: lunch,
  thursday: lunch,
  friday: lunch,
  saturday: closed,
  sunday: closed,
});
// Open only in the small hours of Sunday, the night US clocks change at 2:00.
const nightLine = location('night', {
  ...eastside.details.hours,
  monday: closed,
  tuesday: closed,
  wednesday: closed,
  thursday: closed,
  friday: closed,
  sunday: [{ opens: '00:00', closes: '04:00' }],
});

const at = (iso: string) => new Date(iso);

describe('isOpenAt', () => {
  test('opening instant included, closing instant excluded, in the local time zone', () => {
    expect(isOpenAt(main, at('2026-11-23T13:00:00Z'))).toBe(true); // Mon 8:00 AM EST
    expect(isOpenAt(main, at('2026-11-23T12:59:59.999Z'))).toBe(false);
    expect(isOpenAt(main, at('2026-11-23T21:59:59.999Z'))).toBe(true);
    expect(isOpenAt(main, at('2026-11-23T22:00:00Z'))).toBe(false); // Mon 5:00 PM
    expect(isOpenAt(main, at('2026-11-25T23:30:00Z'))).toBe(true); // Wed 6:30 PM, the late day
    expect(isOpenAt(main, at('2026-11-24T23:30:00Z'))).toBe(false); // Tue 6:30 PM
  });

  test('closed over the lunch break', () => {
    expect(isOpenAt(eastside, at('2026-11-23T16:59:00Z'))).toBe(true); // 11:59 AM
    expect(isOpenAt(eastside, at('2026-11-23T17:00:00Z'))).toBe(false); // 12:00 PM
    expect(isOpenAt(eastside, at('2026-11-23T17:59:00Z'))).toBe(false);
    expect(isOpenAt(eastside, at('2026-11-23T18:00:00Z'))).toBe(true); // 1:00 PM
  });

  test('Saturday morning only, closed Sunday', () => {
    expect(isOpenAt(main, at('2026-11-28T15:00:00Z'))).toBe(true); // Sat 10:00 AM
    expect(isOpenAt(main, at('2026-11-28T17:00:00Z'))).toBe(false); // Sat 12:00 PM
    expect(isOpenAt(main, at('2026-11-29T15:00:00Z'))).toBe(false); // Sun 10:00 AM
    expect(isOpenAt(eastside, at('2026-11-28T15:00:00Z'))).toBe(false);
  });

  test('a holiday closes the whole day; Christmas Eve closes at noon', () => {
    expect(isOpenAt(main, at('2026-11-19T15:00:00Z'))).toBe(true); // the Thursday before, 10:00 AM
    expect(isOpenAt(main, at('2026-11-26T15:00:00Z'))).toBe(false); // Thanksgiving, 10:00 AM
    expect(isOpenAt(main, at('2026-12-24T13:00:00Z'))).toBe(true); // Christmas Eve 8:00 AM
    expect(isOpenAt(main, at('2026-12-24T16:59:00Z'))).toBe(true); // 11:59 AM
    expect(isOpenAt(main, at('2026-12-24T17:00:00Z'))).toBe(false); // 12:00 PM, a Thursday otherwise open till 5
    expect(isOpenAt(main, at('2026-12-25T15:00:00Z'))).toBe(false);
  });
});

describe('nextOpening', () => {
  test('when open, the instant itself', () => {
    const open = at('2026-11-23T15:00:00Z');
    expect(nextOpening(main, open)).toBe(open);
  });

  test('Friday evening: Monday morning when closed on weekends, else Saturday', () => {
    const fridayEvening = at('2026-11-20T23:00:00Z'); // Fri 6:00 PM
    expect(nextOpening(eastside, fridayEvening)).toEqual(at('2026-11-23T13:00:00Z'));
    expect(nextOpening(main, fridayEvening)).toEqual(at('2026-11-21T14:00:00Z')); // Sat 9:00 AM
    expect(nextOpening(main, at('2026-11-21T17:00:00Z'))).toEqual(at('2026-11-23T13:00:00Z')); // Sat noon → Mon
  });

  test('before opening the same day, and after the lunch break', () => {
    expect(nextOpening(main, at('2026-11-23T11:00:00Z'))).toEqual(at('2026-11-23T13:00:00Z')); // Mon 6:00 AM
    expect(nextOpening(eastside, at('2026-11-23T17:30:00Z'))).toEqual(at('2026-11-23T18:00:00Z')); // 12:30 → 1:00 PM
  });

  test('skips holidays', () => {
    // Wed before Thanksgiving, 7:00 PM → Friday 8:00 AM.
    expect(nextOpening(main, at('2026-11-26T00:00:00Z'))).toEqual(at('2026-11-27T13:00:00Z'));
    // Christmas Eve noon → Christmas closed → Saturday 9:00 AM.
    expect(nextOpening(main, at('2026-12-24T17:00:00Z'))).toEqual(at('2026-12-26T14:00:00Z'));
  });

  test('undefined when nothing opens within searchDays', () => {
    const saturdayAfternoon = at('2026-11-28T18:00:00Z');
    expect(nextOpening(main, saturdayAfternoon, 1)).toBeUndefined(); // only Sunday follows
    expect(nextOpening(main, saturdayAfternoon, 2)).toEqual(at('2026-11-30T13:00:00Z'));
    const neverOpen = location('closed', {
      ...eastside.details.hours,
      monday: closed,
      tuesday: closed,
      wednesday: closed,
      thursday: closed,
      friday: closed,
    });
    expect(nextOpening(neverOpen, saturdayAfternoon)).toBeUndefined();
  });
});

describe('addBusinessTime', () => {
  const minutes = (n: number) => n * 60_000;
  const hours = (n: number) => n * 3_600_000;

  test('within one period', () => {
    expect(addBusinessTime(main, at('2026-11-23T15:00:00Z'), minutes(15))).toEqual(at('2026-11-23T15:15:00Z'));
  });

  test('pauses overnight: 10 minutes before closing + 15 minutes = 5 minutes after the next opening', () => {
    expect(addBusinessTime(main, at('2026-11-23T21:50:00Z'), minutes(15))).toEqual(at('2026-11-24T13:05:00Z'));
  });

  test('reaching the amount exactly at closing gives the closing time', () => {
    expect(addBusinessTime(main, at('2026-11-23T21:50:00Z'), minutes(10))).toEqual(at('2026-11-23T22:00:00Z'));
  });

  test('pauses over lunch', () => {
    expect(addBusinessTime(eastside, at('2026-11-23T16:50:00Z'), minutes(15))).toEqual(at('2026-11-23T18:05:00Z'));
  });

  test('pauses over a weekend and a holiday', () => {
    expect(addBusinessTime(eastside, at('2026-11-20T21:50:00Z'), minutes(15))).toEqual(at('2026-11-23T13:05:00Z'));
    expect(addBusinessTime(main, at('2026-11-21T16:50:00Z'), minutes(15))).toEqual(at('2026-11-23T13:05:00Z')); // Sat
    // Christmas Eve 11:50 AM: 10 minutes that day, Christmas closed, 5 minutes on Saturday.
    expect(addBusinessTime(main, at('2026-12-24T16:50:00Z'), minutes(15))).toEqual(at('2026-12-26T14:05:00Z'));
  });

  test('starting while closed counts from the next opening, over several days', () => {
    // Mon 6:00 AM + 20 h: Monday 9 h, Tuesday 9 h, then 2 h into Wednesday.
    expect(addBusinessTime(main, at('2026-11-23T11:00:00Z'), hours(20))).toEqual(at('2026-11-25T15:00:00Z'));
  });

  test('0 ms is the next opening; negative is an error; too far is undefined', () => {
    const open = at('2026-11-23T15:00:00Z');
    expect(addBusinessTime(main, open, 0)).toBe(open);
    expect(addBusinessTime(main, at('2026-11-23T22:00:00Z'), 0)).toEqual(at('2026-11-24T13:00:00Z'));
    expect(() => addBusinessTime(main, open, -1)).toThrow(RangeError);
    expect(addBusinessTime(eastside, open, hours(1000))).toBeUndefined();
  });
});

describe('daylight-saving changes in America/New_York', () => {
  test('spring forward (Sunday 2026-03-08): Monday 8:00 AM is EDT, 12:00 UTC', () => {
    expect(nextOpening(main, at('2026-03-07T17:00:00Z'))).toEqual(at('2026-03-09T12:00:00Z')); // Sat noon EST
    expect(addBusinessTime(main, at('2026-03-07T16:50:00Z'), 15 * 60_000)).toEqual(at('2026-03-09T12:05:00Z'));
    expect(isOpenAt(main, at('2026-03-09T11:59:00Z'))).toBe(false);
    expect(isOpenAt(main, at('2026-03-09T12:00:00Z'))).toBe(true);
  });

  test('fall back (Sunday 2026-11-01): Monday 8:00 AM is EST, 13:00 UTC', () => {
    expect(nextOpening(main, at('2026-10-31T16:00:00Z'))).toEqual(at('2026-11-02T13:00:00Z')); // Sat noon EDT
    // Fri 4:00 PM EDT + 4.5 h: 1 h Friday, 3 h Saturday, 30 min Monday.
    expect(addBusinessTime(main, at('2026-10-30T20:00:00Z'), 4.5 * 3_600_000)).toEqual(at('2026-11-02T13:30:00Z'));
  });

  test('midnight to 4:00 AM lasts 3 hours on the 23-hour day and 5 hours on the 25-hour day', () => {
    expect(addBusinessTime(nightLine, at('2026-03-08T05:00:00Z'), 3 * 3_600_000)).toEqual(at('2026-03-08T08:00:00Z'));
    // The fourth hour runs on the next Sunday, 2026-03-15, from midnight EDT.
    expect(addBusinessTime(nightLine, at('2026-03-08T05:00:00Z'), 4 * 3_600_000)).toEqual(at('2026-03-15T05:00:00Z'));
    expect(addBusinessTime(nightLine, at('2026-11-01T04:00:00Z'), 5 * 3_600_000)).toEqual(at('2026-11-01T09:00:00Z'));
    expect(isOpenAt(nightLine, at('2026-11-01T08:30:00Z'))).toBe(true); // 3:30 AM EST
  });

  test('an opening time the clocks skip opens when they jump; a repeated one the first time it is shown', () => {
    const skipped = location('skipped', nightLine.details.hours, [
      { date: '2026-03-08', name: { en: 'Change', es: 'Cambio' }, hours: [{ opens: '02:30', closes: '04:00' }] },
      { date: '2026-11-01', name: { en: 'Change', es: 'Cambio' }, hours: [{ opens: '01:00', closes: '01:45' }] },
    ]);
    // 2:30 AM does not exist on 2026-03-08: 1:59:59 EST is followed by 3:00 EDT (07:00 UTC).
    expect(nextOpening(skipped, at('2026-03-08T05:00:00Z'))).toEqual(at('2026-03-08T07:00:00Z'));
    expect(isOpenAt(skipped, at('2026-03-08T06:59:59Z'))).toBe(false);
    expect(isOpenAt(skipped, at('2026-03-08T07:00:00Z'))).toBe(true);
    expect(addBusinessTime(skipped, at('2026-03-08T05:00:00Z'), 30 * 60_000)).toEqual(at('2026-03-08T07:30:00Z'));
    // 1:00 AM happens twice on 2026-11-01; open from the first (EDT, 05:00 UTC) for 45 minutes.
    expect(nextOpening(skipped, at('2026-11-01T04:00:00Z'))).toEqual(at('2026-11-01T05:00:00Z'));
    expect(isOpenAt(skipped, at('2026-11-01T05:30:00Z'))).toBe(true);
    expect(isOpenAt(skipped, at('2026-11-01T06:30:00Z'))).toBe(false); // 1:30 AM again, now EST
  });
});

describe('describeOpening', () => {
  const mondayEight = at('2026-11-23T13:00:00Z');

  test('today', () => {
    const mondayDawn = at('2026-11-23T11:00:00Z');
    expect(describeOpening(main, mondayEight, mondayDawn, 'en')).toBe('today at 8:00 AM');
    expect(describeOpening(main, mondayEight, mondayDawn, 'es')).toBe('hoy a las 8:00 a. m.');
    const lunchTime = at('2026-11-23T17:30:00Z');
    const afterLunch = nextOpening(eastside, lunchTime)!;
    expect(describeOpening(eastside, afterLunch, lunchTime, 'en')).toBe('today at 1:00 PM');
    expect(describeOpening(eastside, afterLunch, lunchTime, 'es')).toBe('hoy a la 1:00 p. m.');
  });

  test('tomorrow, by the local date rather than the UTC one', () => {
    const sundayAfternoon = at('2026-11-22T20:00:00Z');
    expect(describeOpening(main, mondayEight, sundayAfternoon, 'en')).toBe('tomorrow at 8:00 AM');
    expect(describeOpening(main, mondayEight, sundayAfternoon, 'es')).toBe('mañana a las 8:00 a. m.');
    // Sunday 11:30 PM in New York is already Monday in UTC.
    expect(describeOpening(main, mondayEight, at('2026-11-23T04:30:00Z'), 'en')).toBe('tomorrow at 8:00 AM');
  });

  test('later: weekday and date', () => {
    const saturdayAfternoon = at('2026-11-28T18:00:00Z');
    const opening = nextOpening(main, saturdayAfternoon)!;
    expect(describeOpening(main, opening, saturdayAfternoon, 'en')).toBe('on Monday, November 30 at 8:00 AM');
    expect(describeOpening(main, opening, saturdayAfternoon, 'es')).toBe('el lunes, 30 de noviembre a las 8:00 a. m.');
  });
});
