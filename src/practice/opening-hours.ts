/**
 * Opening hours in a location's own time zone: which periods apply on a date (holidays override the week), upcoming
 * holidays, and how to say it in English or Spanish.
 */
import type { Language } from '../nlu/nlu-engine';
import { type Holiday, type OpeningPeriod, type PracticeLocation, WEEKDAYS, type Weekday } from './practice-profile';

export interface LocalDate {
  readonly isoDate: string;
  readonly weekday: Weekday;
}

const WEEKDAY_NAMES: Record<Language, Record<Weekday, string>> = {
  en: { sunday: 'Sunday', monday: 'Monday', tuesday: 'Tuesday', wednesday: 'Wednesday', thursday: 'Thursday', friday: 'Friday', saturday: 'Saturday' },
  es: { sunday: 'domingo', monday: 'lunes', tuesday: 'martes', wednesday: 'miércoles', thursday: 'jueves', friday: 'viernes', saturday: 'sábado' },
};

export function weekdayName(day: Weekday, lang: Language): string {
  return WEEKDAY_NAMES[lang][day];
}

/**
 * The calendar date `daysAhead` days after `now`'s date in `timeZone`. Calendar days, not 24-hour steps: around a
 * daylight-saving change a day is 23 or 25 hours, and midnight plus 24 h would skip or repeat a date.
 */
export function localDate(now: Date, timeZone: string, daysAhead = 0): LocalDate {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const date = new Date(Date.UTC(part('year'), part('month') - 1, part('day') + daysAhead));
  return { isoDate: date.toISOString().slice(0, 10), weekday: WEEKDAYS[date.getUTCDay()]! };
}

/** The next date (today included) falling on `weekday`. */
export function nextDateOn(now: Date, timeZone: string, weekday: Weekday): LocalDate {
  const today = localDate(now, timeZone);
  const ahead = (WEEKDAYS.indexOf(weekday) - WEEKDAYS.indexOf(today.weekday) + 7) % 7;
  return localDate(now, timeZone, ahead);
}

export function holidayOn(location: PracticeLocation, isoDate: string): Holiday | undefined {
  return location.details.holidays.find((holiday) => holiday.date === isoDate);
}

export function periodsOn(location: PracticeLocation, date: LocalDate): readonly OpeningPeriod[] {
  return holidayOn(location, date.isoDate)?.hours ?? location.details.hours[date.weekday];
}

/** Holidays from today through `days` ahead, in date order. */
export function upcomingHolidays(location: PracticeLocation, now: Date, days: number): Holiday[] {
  const from = localDate(now, location.timeZone).isoDate;
  const to = localDate(now, location.timeZone, days).isoDate;
  return location.details.holidays
    .filter((holiday) => holiday.date >= from && holiday.date <= to)
    .sort((a, b) => a.date.localeCompare(b.date));
}

export function formatClockTime(time: string, lang: Language): string {
  const [hourText, minute] = time.split(':');
  const hour = Number(hourText);
  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  const suffix = lang === 'es' ? (hour < 12 ? 'a. m.' : 'p. m.') : hour < 12 ? 'AM' : 'PM';
  return `${hour12}:${minute} ${suffix}`;
}

export function formatPeriods(periods: readonly OpeningPeriod[], lang: Language): string {
  const joiner = lang === 'es' ? ' a ' : ' to ';
  const and = lang === 'es' ? ' y de ' : ' and ';
  return periods.map((period) => `${formatClockTime(period.opens, lang)}${joiner}${formatClockTime(period.closes, lang)}`).join(and);
}

/** [["Monday–Friday", "8:00 AM to 5:00 PM"], …, ["Sunday", "closed"]], grouping consecutive days with equal hours. */
export function weeklyHoursRows(location: PracticeLocation, lang: Language): Array<[days: string, hours: string]> {
  const order: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  const groups: Array<{ first: Weekday; last: Weekday; periods: readonly OpeningPeriod[] }> = [];
  for (const day of order) {
    const periods = location.details.hours[day];
    const previous = groups[groups.length - 1];
    if (previous && JSON.stringify(previous.periods) === JSON.stringify(periods)) previous.last = day;
    else groups.push({ first: day, last: day, periods });
  }
  const closed = lang === 'es' ? 'cerrado' : 'closed';
  return groups.map((group) => {
    const days = group.first === group.last ? weekdayName(group.first, lang) : `${weekdayName(group.first, lang)}–${weekdayName(group.last, lang)}`;
    return [capitalize(days), group.periods.length === 0 ? closed : formatPeriods(group.periods, lang)];
  });
}

/** "Monday–Friday: 8:00 AM to 5:00 PM; Saturday: …; Sunday: closed". */
export function formatWeeklyHours(location: PracticeLocation, lang: Language): string {
  return weeklyHoursRows(location, lang)
    .map(([days, hours]) => `${days}: ${hours}`)
    .join('; ');
}

export function formatDate(isoDate: string, lang: Language, withWeekday = true): string {
  const options: Intl.DateTimeFormatOptions = { timeZone: 'UTC', month: 'long', day: 'numeric', ...(withWeekday ? { weekday: 'long' } : {}) };
  return new Intl.DateTimeFormat(lang === 'es' ? 'es-US' : 'en-US', options).format(
    new Date(`${isoDate}T12:00:00Z`),
  );
}

/** Ends a sentence with a period unless it already ends with one (Spanish "p. m." does). */
export function endSentence(text: string): string {
  return text.endsWith('.') ? text : `${text}.`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
