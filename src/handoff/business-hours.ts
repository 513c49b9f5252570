/**
 * Business-hours arithmetic for handoffs to staff: is the office open, when does it next open, and when is a reply due
 * if the SLA clock only runs while the office is open. Opening periods are turned into real instants per local date
 * (the offset looked up with Intl, never assumed), so 23- and 25-hour days around daylight-saving changes count right.
 */
import { utcOffsetMs, wallClockFields } from '../practice/wall-clock';
import type { Language } from '../nlu/nlu-engine';
import { formatClockTime, formatDate, localDate, periodsOn, type LocalDate } from '../practice/opening-hours';
import type { PracticeLocation } from '../practice/practice-profile';

interface Interval {
  readonly start: number;
  readonly end: number;
}

const DAY_MS = 86_400_000;

/** Within an opening period of `at`'s local date: opening instant included, closing instant excluded. */
export function isOpenAt(location: PracticeLocation, at: Date): boolean {
  const t = at.getTime();
  return openIntervals(location, localDate(at, location.timeZone)).some(({ start, end }) => start <= t && t < end);
}

/** `at` itself when open; else the next opening on `at`'s local date or the `searchDays` local dates after it. */
export function nextOpening(location: PracticeLocation, at: Date, searchDays = 14): Date | undefined {
  const t = at.getTime();
  for (let day = 0; day <= searchDays; day++) {
    for (const { start, end } of openIntervals(location, localDate(at, location.timeZone, day))) {
      if (end > t) return start <= t ? at : new Date(start);
    }
  }
  return undefined;
}

/**
 * The instant at which `ms` of open time has gone by since `from`; the clock stops while the office is closed.
 * Reaching the amount exactly at a closing time gives that closing time. 0 ms: the next opening.
 */
export function addBusinessTime(location: PracticeLocation, from: Date, ms: number, searchDays = 30): Date | undefined {
  if (!(ms >= 0)) throw new RangeError(`business time must be a non-negative number of milliseconds, got ${ms}`);
  if (ms === 0) return nextOpening(location, from, searchDays);
  let cursor = from.getTime();
  let remaining = ms;
  for (let day = 0; day <= searchDays; day++) {
    for (const { start, end } of openIntervals(location, localDate(from, location.timeZone, day))) {
      const begin = Math.max(start, cursor);
      if (end <= begin) continue;
      if (remaining <= end - begin) return new Date(begin + remaining);
      remaining -= end - begin;
      cursor = end;
    }
  }
  return undefined;
}

/** "today at 8:00 AM", "tomorrow at …", "on Monday, November 30 at …" (Spanish alike), in the location's time zone. */
export function describeOpening(location: PracticeLocation, opening: Date, now: Date, lang: Language): string {
  const { timeZone } = location;
  const date = localDate(opening, timeZone).isoDate;
  const { hour, minute } = wallClockFields(opening, timeZone);
  const time = formatClockTime(`${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`, lang);
  // Spanish says "a la 1:00" but "a las 2:00".
  const at = lang === 'es' ? (hour % 12 === 1 ? 'a la' : 'a las') : 'at';
  if (date === localDate(now, timeZone).isoDate) return `${lang === 'es' ? 'hoy' : 'today'} ${at} ${time}`;
  if (date === localDate(now, timeZone, 1).isoDate) return `${lang === 'es' ? 'mañana' : 'tomorrow'} ${at} ${time}`;
  return `${lang === 'es' ? 'el' : 'on'} ${formatDate(date, lang)} ${at} ${time}`;
}

/** The date's opening periods as instants, in order; periods that do not close after they open are ignored. */
function openIntervals(location: PracticeLocation, date: LocalDate): Interval[] {
  const instant = (clock: string) => firstInstantShowing(date.isoDate, clock, location.timeZone);
  return periodsOn(location, date)
    .map((period) => ({ start: instant(period.opens), end: instant(period.closes) }))
    .filter(({ start, end }) => start < end)
    .sort((a, b) => a.start - b.start);
}

/**
 * The first instant at which the clocks of `timeZone` show `clock` on `isoDate` or later: when clocks fall back over it,
 * the earlier of the two; when they spring forward over it, the moment they jump (02:30 on a 02:00→03:00 day: 03:00).
 */
function firstInstantShowing(isoDate: string, clock: string, timeZone: string): number {
  const [year, month, day] = isoDate.split('-').map(Number);
  const [hour, minute] = clock.split(':').map(Number);
  const wall = Date.UTC(year!, month! - 1, day!, hour!, minute!);
  const wallAt = (t: number) => t + utcOffsetMs(t, timeZone);
  // The offsets in force a day before and a day after cover any single change on that date.
  const withOffsetAfter = wall - utcOffsetMs(wall + DAY_MS, timeZone);
  const withOffsetBefore = wall - utcOffsetMs(wall - DAY_MS, timeZone);
  const exact = [withOffsetAfter, withOffsetBefore].filter((t) => wallAt(t) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // Skipped by a spring-forward: the wall clock jumps past `wall` between these two instants; find the jump.
  let [lo, hi] = [withOffsetAfter, withOffsetBefore];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallAt(mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}
