import { zonedTime } from '../../../src/compliance/quiet-hours';
import { parseTimePreference, type TimePreference, type TimeWindow } from '../../../src/scheduling/time-preference';

const NEW_YORK = 'America/New_York';
const LOS_ANGELES = 'America/Los_Angeles';
/** Sunday 21:00 in New York, while UTC is already at Monday 02:00: "tomorrow" is Monday, not Tuesday. */
const SUNDAY_NIGHT = new Date('2026-11-23T02:00:00Z');
const MONDAY_MORNING = zonedTime('2026-11-23', '10:00', NEW_YORK);
const WEDNESDAY_MORNING = zonedTime('2026-11-25', '10:00', NEW_YORK);

function span(fromDate: string, fromClock: string, toDate: string, toClock: string, timeZone = NEW_YORK): TimeWindow {
  return { from: zonedTime(fromDate, fromClock, timeZone), to: zonedTime(toDate, toClock, timeZone) };
}

/** From `from` (already clamped to now) to a local clock time. */
function until(from: Date, toDate: string, toClock: string, timeZone = NEW_YORK): TimeWindow {
  return { from, to: zonedTime(toDate, toClock, timeZone) };
}

function wholeDay(date: string, nextDate: string): TimeWindow {
  return span(date, '00:00', nextDate, '00:00');
}

function parse(text: string, lang: 'en' | 'es', now = SUNDAY_NIGHT, timeZone = NEW_YORK): TimePreference {
  return parseTimePreference(text, lang, now, timeZone);
}

/** November 2026 dates from `first` for `count` days, with the date after each. */
function novemberDays(first: number, count: number): Array<[string, string]> {
  return Array.from({ length: count }, (_, index) => {
    const date = new Date(Date.UTC(2026, 10, first + index));
    const next = new Date(Date.UTC(2026, 10, first + index + 1));
    return [date.toISOString().slice(0, 10), next.toISOString().slice(0, 10)];
  });
}

describe('parseTimePreference: a day with a part of day', () => {
  test('"next tuesday afternoon" on Sunday night is the coming Tuesday, 12:00–17:00', () => {
    const expected = {
      kind: 'window',
      partOfDay: 'afternoon',
      windows: [span('2026-11-24', '12:00', '2026-11-24', '17:00')],
    };
    expect(parse('next tuesday afternoon', 'en')).toEqual(expected);
    expect(parse('I need a checkup next Tuesday afternoon', 'en')).toEqual(expected);
  });

  test('"tomorrow morning" follows the local date (Monday), not the UTC one', () => {
    expect(parse('tomorrow morning', 'en')).toEqual({
      kind: 'window',
      partOfDay: 'morning',
      windows: [span('2026-11-23', '08:00', '2026-11-23', '12:00')],
    });
  });

  test('"el viernes por la mañana" is the coming Friday morning', () => {
    expect(parse('el viernes por la mañana', 'es')).toEqual({
      kind: 'window',
      partOfDay: 'morning',
      windows: [span('2026-11-27', '08:00', '2026-11-27', '12:00')],
    });
  });

  test('"mañana por la tarde" is tomorrow afternoon (the recognizer calls "tarde" evening; patients mean afternoon)', () => {
    expect(parse('mañana por la tarde', 'es')).toEqual({
      kind: 'window',
      partOfDay: 'afternoon',
      windows: [span('2026-11-23', '12:00', '2026-11-23', '17:00')],
    });
  });

  test('a part of day named apart narrows the day: "el viernes, por la tarde"', () => {
    expect(parse('el viernes, por la tarde', 'es')).toEqual({
      kind: 'window',
      partOfDay: 'afternoon',
      windows: [span('2026-11-27', '12:00', '2026-11-27', '17:00')],
    });
  });

  test('several days keep the order the patient gave; two parts of day leave partOfDay unset', () => {
    expect(parse("I'm free tuesday afternoon or thursday morning", 'en')).toEqual({
      kind: 'window',
      windows: [span('2026-11-24', '12:00', '2026-11-24', '17:00'), span('2026-11-26', '08:00', '2026-11-26', '12:00')],
    });
  });

  test('"tuesday afternoon" on a Tuesday evening is next week\'s Tuesday', () => {
    const tuesdayEvening = zonedTime('2026-11-24', '18:00', NEW_YORK);
    expect(parse('tuesday afternoon', 'en', tuesdayEvening)).toEqual({
      kind: 'window',
      partOfDay: 'afternoon',
      windows: [span('2026-12-01', '12:00', '2026-12-01', '17:00')],
    });
  });
});

describe('parseTimePreference: a bare weekday', () => {
  test('"tuesday" is the whole coming Tuesday, local midnight to midnight', () => {
    expect(parse('tuesday', 'en')).toEqual({ kind: 'window', windows: [wholeDay('2026-11-24', '2026-11-25')] });
    expect(parse('martes', 'es')).toEqual({ kind: 'window', windows: [wholeDay('2026-11-24', '2026-11-25')] });
  });

  test('a Friday mentioned in passing: "¿Puedo cambiar mi cita del viernes?"', () => {
    expect(parse('¿Puedo cambiar mi cita del viernes?', 'es')).toEqual({
      kind: 'window',
      windows: [wholeDay('2026-11-27', '2026-11-28')],
    });
  });

  test('on a Wednesday "tuesday" is next week\'s', () => {
    expect(parse('tuesday', 'en', WEDNESDAY_MORNING)).toEqual({
      kind: 'window',
      windows: [wholeDay('2026-12-01', '2026-12-02')],
    });
  });

  test('on the day itself, what is left of today counts', () => {
    const tuesdayMorning = zonedTime('2026-11-24', '10:00', NEW_YORK);
    expect(parse('tuesday', 'en', tuesdayMorning)).toEqual({
      kind: 'window',
      windows: [until(tuesdayMorning, '2026-11-25', '00:00')],
    });
    const tuesdayLate = zonedTime('2026-11-24', '23:00', NEW_YORK);
    expect(parse('martes', 'es', tuesdayLate)).toEqual({
      kind: 'window',
      windows: [until(tuesdayLate, '2026-11-25', '00:00')],
    });
  });

  test('"next tuesday" is the recognizer\'s: the Tuesday of next Monday-to-Sunday week', () => {
    // From a Sunday that is two days later; from a Monday or a Wednesday, the Tuesday after the coming one.
    expect(parse('next tuesday', 'en').windows).toEqual([wholeDay('2026-11-24', '2026-11-25')]);
    expect(parse('next tuesday', 'en', MONDAY_MORNING).windows).toEqual([wholeDay('2026-12-01', '2026-12-02')]);
    expect(parse('next tuesday', 'en', WEDNESDAY_MORNING).windows).toEqual([wholeDay('2026-12-01', '2026-12-02')]);
    expect(parse('el próximo martes', 'es', MONDAY_MORNING).windows).toEqual([wholeDay('2026-12-01', '2026-12-02')]);
  });
});

describe('parseTimePreference: weeks', () => {
  test('"any time this week" on Sunday night is what is left of Sunday, even under a day', () => {
    const expected = { kind: 'window', windows: [until(SUNDAY_NIGHT, '2026-11-23', '00:00')] };
    expect(parse('any time this week', 'en')).toEqual(expected);
    expect(parse('cualquier día esta semana', 'es')).toEqual(expected);
  });

  test('"any time this week" on a Wednesday runs from now to the end of Sunday', () => {
    expect(parse('any time this week', 'en', WEDNESDAY_MORNING)).toEqual({
      kind: 'window',
      windows: [until(WEDNESDAY_MORNING, '2026-11-30', '00:00')],
    });
  });

  test('"next week" is Monday to Sunday of the next week', () => {
    const fromSunday = { kind: 'window', windows: [wholeDay('2026-11-23', '2026-11-30')] };
    expect(parse('next week', 'en')).toEqual(fromSunday);
    expect(parse('la próxima semana', 'es')).toEqual(fromSunday);
    expect(parse('la semana que viene', 'es')).toEqual(fromSunday);
    expect(parse('next week', 'en', WEDNESDAY_MORNING)).toEqual({
      kind: 'window',
      windows: [wholeDay('2026-11-30', '2026-12-07')],
    });
  });

  test('"next week in the morning" is each morning of next week', () => {
    const mornings = novemberDays(23, 7).map(([date]) => span(date, '08:00', date, '12:00'));
    expect(parse('next week in the morning', 'en')).toEqual({
      kind: 'window',
      partOfDay: 'morning',
      windows: mornings,
    });
  });
});

describe('parseTimePreference: calendar dates and times', () => {
  test('"December 4" is the whole coming December 4', () => {
    const expected = { kind: 'window', windows: [wholeDay('2026-12-04', '2026-12-05')] };
    expect(parse('December 4', 'en')).toEqual(expected);
    expect(parse('4 de diciembre', 'es')).toEqual(expected);
  });

  test('a date and a time is that hour only', () => {
    const expected = { kind: 'window', windows: [span('2026-12-04', '15:00', '2026-12-04', '16:00')] };
    expect(parse('December 4 at 3pm', 'en')).toEqual(expected);
    expect(parse('el 4 de diciembre a las 3 de la tarde', 'es')).toEqual(expected);
  });

  test('on the day itself the rest of the day counts, and an hour already past leaves nothing', () => {
    const decemberFourth = zonedTime('2026-12-04', '10:00', NEW_YORK);
    expect(parse('December 4', 'en', decemberFourth)).toEqual({
      kind: 'window',
      windows: [until(decemberFourth, '2026-12-05', '00:00')],
    });
    expect(parse('December 4 at 3pm', 'en', zonedTime('2026-12-04', '16:00', NEW_YORK))).toEqual({
      kind: 'none',
      windows: [],
    });
  });

  test('"mañana" alone is tomorrow', () => {
    expect(parse('mañana', 'es')).toEqual({ kind: 'window', windows: [wholeDay('2026-11-23', '2026-11-24')] });
  });
});

describe('parseTimePreference: a part of day alone', () => {
  test('"in the morning" on Sunday night: each of the 14 days from today, today\'s morning being over', () => {
    const mornings = novemberDays(23, 13).map(([date]) => span(date, '08:00', date, '12:00'));
    expect(parse('in the morning', 'en')).toEqual({ kind: 'window', partOfDay: 'morning', windows: mornings });
    expect(parse('por la mañana', 'es')).toEqual({ kind: 'window', partOfDay: 'morning', windows: mornings });
  });

  test('"in the morning" during a morning starts now, then 13 more mornings', () => {
    const later = novemberDays(26, 13).map(([date]) => span(date, '08:00', date, '12:00'));
    expect(parse('in the morning', 'en', WEDNESDAY_MORNING)).toEqual({
      kind: 'window',
      partOfDay: 'morning',
      windows: [until(WEDNESDAY_MORNING, '2026-11-25', '12:00'), ...later],
    });
  });

  test('"por la tarde" alone is every afternoon, not only today\'s', () => {
    const afternoons = novemberDays(25, 14).map(([date]) => span(date, '12:00', date, '17:00'));
    expect(parse('por la tarde', 'es', WEDNESDAY_MORNING)).toEqual({
      kind: 'window',
      partOfDay: 'afternoon',
      windows: afternoons,
    });
  });
});

describe('parseTimePreference: as soon as possible', () => {
  const thirtyDays = { kind: 'asap', windows: [{ from: SUNDAY_NIGHT, to: new Date('2026-12-23T02:00:00Z') }] };

  test.each(['asap', 'as soon as possible', 'soonest', 'earliest', 'Whatever is soonest please'])('"%s"', (text) => {
    expect(parse(text, 'en')).toEqual(thirtyDays);
  });

  test.each(['lo antes posible', 'lo más pronto posible', 'cuanto antes', 'Cuanto antes, por favor'])(
    '"%s"',
    (text) => {
      expect(parse(text, 'es')).toEqual(thirtyDays);
    },
  );

  test('a named time wins over "asap"', () => {
    expect(parse('asap, next week if possible', 'en')).toEqual({
      kind: 'window',
      windows: [wholeDay('2026-11-23', '2026-11-30')],
    });
  });
});

describe('parseTimePreference: nothing recognised', () => {
  test.each([
    ['I have a cough', 'en'],
    ['', 'en'],
    ['tengo tos', 'es'],
  ] as const)('"%s" (%s)', (text, lang) => {
    expect(parse(text, lang)).toEqual({ kind: 'none', windows: [] });
  });
});

describe('parseTimePreference: across the March daylight-saving change', () => {
  // Saturday 2026-03-07 10:00 EST; clocks go from 02:00 EST to 03:00 EDT on Sunday March 8.
  const saturday = zonedTime('2026-03-07', '10:00', NEW_YORK);

  test('"tomorrow morning" is 08:00 EDT, 12:00 UTC', () => {
    const { windows } = parse('tomorrow morning', 'en', saturday);
    expect(windows).toEqual([span('2026-03-08', '08:00', '2026-03-08', '12:00')]);
    expect(windows[0]?.from.toISOString()).toBe('2026-03-08T12:00:00.000Z');
  });

  test('the Sunday of the change is 23 hours long', () => {
    const { windows } = parse('sunday', 'en', saturday);
    expect(windows).toEqual([wholeDay('2026-03-08', '2026-03-09')]);
    expect(windows[0]).toEqual({ from: new Date('2026-03-08T05:00:00Z'), to: new Date('2026-03-09T04:00:00Z') });
  });

  test('"this week" and "next week" end at local midnights', () => {
    expect(parse('any time this week', 'en', saturday).windows).toEqual([
      { from: saturday, to: new Date('2026-03-09T04:00:00Z') },
    ]);
    expect(parse('la próxima semana', 'es', saturday).windows).toEqual([wholeDay('2026-03-09', '2026-03-16')]);
  });

  test('"in the morning" moves by an hour in UTC from Sunday on', () => {
    const { windows } = parse('in the morning', 'en', saturday);
    expect(windows).toHaveLength(14);
    expect(windows[0]).toEqual({ from: saturday, to: new Date('2026-03-07T17:00:00Z') });
    expect(windows[1]).toEqual({ from: new Date('2026-03-08T12:00:00Z'), to: new Date('2026-03-08T16:00:00Z') });
  });
});

describe('parseTimePreference: another time zone', () => {
  test('in Los Angeles the same instant is Sunday 18:00, so "tonight" still has its evening', () => {
    expect(parse('tomorrow morning', 'en', SUNDAY_NIGHT, LOS_ANGELES)).toEqual({
      kind: 'window',
      partOfDay: 'morning',
      windows: [span('2026-11-23', '08:00', '2026-11-23', '12:00', LOS_ANGELES)],
    });
    expect(parse('tonight', 'en', SUNDAY_NIGHT, LOS_ANGELES)).toEqual({
      kind: 'window',
      partOfDay: 'evening',
      windows: [until(SUNDAY_NIGHT, '2026-11-22', '20:00', LOS_ANGELES)],
    });
    expect(parse('tonight', 'en', SUNDAY_NIGHT, NEW_YORK)).toEqual({ kind: 'none', windows: [] });
  });
});
