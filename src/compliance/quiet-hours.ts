/**
 * Automated messages that are not replies go only during the day in the recipient's time zone (the federal rule is
 * 8am–9pm; a practice may narrow it). Replies to a patient's own message are not held.
 */
import { localDate } from '../practice/opening-hours';
import { utcOffsetMs, wallClockFields } from '../practice/wall-clock';

export interface SendingHours {
  /** Local clock times, HH:MM (24 h), `from` before `to`. */
  readonly from: string;
  readonly to: string;
  /** The patient's time zone when known, else the practice's. */
  readonly timeZone: string;
}

/** `now` when an automated message may go now; otherwise the start of the next sending window. */
export function nextSendingTime(now: Date, hours: SendingHours): Date {
  const minute = minuteOfDay(now, hours.timeZone);
  const from = clockMinutes(hours.from);
  if (minute >= from && minute < clockMinutes(hours.to)) return now;
  const day = localDate(now, hours.timeZone, minute < from ? 0 : 1).isoDate;
  return zonedTime(day, hours.from, hours.timeZone);
}

function clockMinutes(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

function minuteOfDay(instant: Date, timeZone: string): number {
  const { hour, minute } = wallClockFields(instant, timeZone);
  return hour * 60 + minute;
}

/** The instant at which the clocks of `timeZone` show `clock` on `isoDate` (DST-safe: the offset is re-checked). */
export function zonedTime(isoDate: string, clock: string, timeZone: string): Date {
  const [year, month, day] = isoDate.split('-').map(Number);
  const minutes = clockMinutes(clock);
  const asUtc = Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1, Math.floor(minutes / 60), minutes % 60);
  let instant = asUtc - utcOffsetMs(asUtc, timeZone);
  instant = asUtc - utcOffsetMs(instant, timeZone);
  return new Date(instant);
}
