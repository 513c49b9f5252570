/**
 * A patient's free-text wish for an appointment time ("next Tuesday afternoon", "el viernes por la mañana", "asap")
 * as windows of instants for the slot search. Microsoft's DateTime recognizer does the language work but knows only
 * naive local time, so it is given the practice's wall clock and everything it resolves is converted back to instants
 * in the practice's time zone; the clinic's own parts of day replace the recognizer's (its afternoon ends at 16:00).
 */
import { Culture, DateTimeOptions, recognizeDateTime } from '@microsoft/recognizers-text-suite';
import { z } from 'zod';
import { zonedTime } from '../compliance/quiet-hours';
import { wallClockFields } from '../practice/wall-clock';
import type { Language } from '../nlu/nlu-engine';
import { localDate } from '../practice/opening-hours';

export type PartOfDay = 'morning' | 'afternoon' | 'evening';

/** Instants, [from, to). */
export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
}

export interface TimePreference {
  /**
   * 'window': the patient named days/times; 'asap': soonest; 'none': nothing usable recognised, or only times that
   * have already passed (the flow asks).
   */
  readonly kind: 'window' | 'asap' | 'none';
  /** Where to look for slots, in order of preference; never before `now`. Empty for 'none'. */
  readonly windows: readonly TimeWindow[];
  /** The part of day the patient named, when they named exactly one. */
  readonly partOfDay?: PartOfDay;
}

/** Local clock times, HH:MM; '24:00' is the end of the day. */
const PARTS_OF_DAY: Record<PartOfDay, { readonly from: string; readonly to: string }> = {
  morning: { from: '08:00', to: '12:00' },
  afternoon: { from: '12:00', to: '17:00' },
  evening: { from: '17:00', to: '20:00' },
};
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const ASAP_DAYS = 30;
/** A time of day without a date ("in the morning") is looked for on this many days, today first. */
const DAILY_DAYS = 14;

/** Matched on lower-case text without accents, in either language: patients mix them ("asap" in Spanish). */
const ASAP_PATTERN =
  /\b(?:asap|as soon as (?:possible|you can)|soonest|earliest|first available|lo antes posible|lo mas pronto(?: posible)?|cuanto antes)\b/;

/** The recognizer's ways of saying "now": "asap", "right now", "lo más pronto posible". */
const NOW_TIMEXES = new Set(['PRESENT_REF', 'FUTURE_REF']);

/** Spanish "la tarde" / "por la noche" alone: the recognizer dates them today, but they name a time of day. */
const BARE_SPANISH_PART_OF_DAY = /^(?:a |en |por )?la (?:mañana|tarde|noche)$/i;

// Only the kinds of value a window can come from; the rest fail the schema and are skipped: sets ("every Tuesday"),
// durations, and the Spanish recognizer's timex-less misreadings (whole wrong months).
const resolvedValueSchema = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['date', 'datetime', 'time']), timex: z.string(), value: z.string() }),
  z.object({ type: z.enum(['daterange', 'datetimerange']), timex: z.string(), start: z.string(), end: z.string() }),
  z.object({ type: z.literal('timerange'), timex: z.string(), start: z.string(), end: z.string().optional() }),
]);
type ResolvedValue = z.infer<typeof resolvedValueSchema>;
const resolutionSchema = z.object({ values: z.array(z.unknown()) });

interface LocalTime {
  readonly date: string;
  readonly clock: string;
}
/** Whole calendar days (office hours decide), or a span with times; a span without `to` is a moment, one hour long. */
type Candidate =
  { readonly firstDay: string; readonly dayCount: number } | { readonly from: LocalTime; readonly to?: LocalTime };
/** A time of day without a date, as clocks; without `to` it is a moment, one hour long. */
interface DailySpan {
  readonly from: string;
  readonly to?: string;
  readonly partOfDay?: PartOfDay;
}
type Reading =
  | { readonly kind: 'now' }
  | { readonly kind: 'dated'; readonly timex: string; readonly candidate: Candidate; readonly partOfDay?: PartOfDay }
  | { readonly kind: 'daily'; readonly span: DailySpan };

/**
 * Where to look for slots for what the patient wrote. A bare weekday is the nearest one whose day is not over yet
 * (today included); "next Tuesday" is the recognizer's reading: the Tuesday of next Monday-to-Sunday week (from a
 * Sunday that is two days later, from a Monday eight).
 */
export function parseTimePreference(text: string, lang: Language, now: Date, timeZone: string): TimePreference {
  const readings = recognise(text, lang, now, timeZone);
  const daily = readings.flatMap((reading) => (reading.kind === 'daily' ? [reading.span] : []));
  const dated = candidatesByTimex(readings);
  const windows =
    dated.length > 0
      ? dated.flatMap((candidates) => nearestWindows(candidates, daily, now, timeZone))
      : dailyWindows(daily, now, timeZone);
  if (windows.length > 0) {
    const partOfDay = onlyPartOfDay(readings);
    return { kind: 'window', windows, ...(partOfDay ? { partOfDay } : {}) };
  }
  if (readings.some((reading) => reading.kind === 'now') || ASAP_PATTERN.test(foldText(text))) {
    return { kind: 'asap', windows: [{ from: now, to: new Date(now.getTime() + ASAP_DAYS * DAY_MS) }] };
  }
  return { kind: 'none', windows: [] };
}

/**
 * The library keeps its models in a static per-culture cache, so only the first call per language builds them
 * (about half a second); its public API offers no recognizer object to hold instead.
 */
function recognise(text: string, lang: Language, now: Date, timeZone: string): Reading[] {
  const culture = lang === 'es' ? Culture.Spanish : Culture.English;
  const query = lang === 'es' ? normaliseSpanish(text) : text;
  return recognizeDateTime(query, culture, DateTimeOptions.None, wallClock(now, timeZone)).flatMap((result) => {
    const resolution = resolutionSchema.safeParse(result.resolution);
    if (!resolution.success) return [];
    return resolution.data.values.flatMap((raw) => {
      const value = resolvedValueSchema.safeParse(raw);
      const reading = value.success ? readValue(value.data, result.text, lang) : undefined;
      return reading ? [reading] : [];
    });
  });
}

/** The Spanish recognizer misreads "la semana que viene" / "el mes que viene"; its "próxima semana" is right. */
function normaliseSpanish(text: string): string {
  return text
    .replace(/\bsemana\s+(?:que\s+viene|pr[oó]xima)/giu, 'próxima semana')
    .replace(/\bmes\s+(?:que\s+viene|pr[oó]ximo)/giu, 'próximo mes');
}

/** `now` as the practice's wall clock in local Date fields: the recognizer reads only getFullYear() … getSeconds(). */
function wallClock(now: Date, timeZone: string): Date {
  const { year, month, day, hour, minute, second } = wallClockFields(now, timeZone);
  return new Date(year, month - 1, day, hour, minute, second);
}

function readValue(value: ResolvedValue, mentionText: string, lang: Language): Reading | undefined {
  if (NOW_TIMEXES.has(value.timex)) return { kind: 'now' };
  const partOfDay = partOfDayOf(value.timex, mentionText, lang);
  const dated = (candidate: Candidate): Reading => ({ kind: 'dated', timex: value.timex, candidate, partOfDay });
  switch (value.type) {
    case 'date':
      return dated({ firstDay: value.value.slice(0, 10), dayCount: 1 });
    case 'datetime':
      return dated({ from: localTime(value.value) });
    case 'time':
      return { kind: 'daily', span: { from: clockOf(value.value) } };
    case 'daterange':
      return dated({ firstDay: value.start.slice(0, 10), dayCount: daysBetween(value.start, value.end) });
    case 'datetimerange':
      return readDateTimeRange(
        value.start,
        value.end,
        partOfDay,
        BARE_SPANISH_PART_OF_DAY.test(mentionText.trim()),
        dated,
      );
    case 'timerange':
      return {
        kind: 'daily',
        span: partOfDay ? { ...PARTS_OF_DAY[partOfDay], partOfDay } : timeRange(value.start, value.end),
      };
  }
}

function readDateTimeRange(
  start: string,
  end: string,
  partOfDay: PartOfDay | undefined,
  bare: boolean,
  dated: (candidate: Candidate) => Reading,
): Reading {
  if (!partOfDay) return dated({ from: localTime(start), to: localTime(end) });
  const clocks = PARTS_OF_DAY[partOfDay];
  if (bare) return { kind: 'daily', span: { ...clocks, partOfDay } };
  const date = start.slice(0, 10);
  return dated({ from: { date, clock: clocks.from }, to: { date, clock: clocks.to } });
}

/** "after 3pm" has no end: the rest of the day. */
function timeRange(start: string, end: string | undefined): DailySpan {
  return { from: clockOf(start), to: end === undefined ? '24:00' : clockOf(end) };
}

/**
 * The recognizer's parts of day end in TMO/TAF/TEV/TNI. Spanish "tarde" comes back as evening (16–20) but a patient
 * means the afternoon; night has no clinic hours, so the evening is the nearest the practice offers.
 */
function partOfDayOf(timex: string, mentionText: string, lang: Language): PartOfDay | undefined {
  const code = /T(MO|AF|EV|NI)$/.exec(timex)?.[1];
  if (code === 'MO') return 'morning';
  if (code === 'AF') return 'afternoon';
  if (code === 'EV') return lang === 'es' && /tarde/i.test(mentionText) ? 'afternoon' : 'evening';
  if (code === 'NI') return 'evening';
  return undefined;
}

/** One list per reading (timex): its past and future resolutions, plus the week after for a weekday. */
function candidatesByTimex(readings: readonly Reading[]): Candidate[][] {
  const groups = new Map<string, Candidate[]>();
  for (const reading of readings) {
    if (reading.kind !== 'dated') continue;
    const group = groups.get(reading.timex) ?? [];
    group.push(reading.candidate);
    groups.set(reading.timex, group);
  }
  return [...groups].map(([timex, candidates]) => {
    const sorted = [...candidates].sort((a, b) => candidateStart(a).localeCompare(candidateStart(b)));
    const last = sorted[sorted.length - 1];
    // On a Tuesday evening "Tuesday afternoon" has only resolutions that are over: the patient means next week's.
    return /XXXX-WXX-\d/.test(timex) && last ? [...sorted, shiftCandidate(last, 7)] : sorted;
  });
}

/** The windows of the first candidate that is not over yet, clamped to `now`. */
function nearestWindows(
  candidates: readonly Candidate[],
  daily: readonly DailySpan[],
  now: Date,
  timeZone: string,
): TimeWindow[] {
  for (const candidate of candidates) {
    const windows = notBefore(candidateWindows(candidate, daily, timeZone), now);
    if (windows.length > 0) return windows;
  }
  return [];
}

/** Whole days narrowed by a time of day named apart ("el viernes, por la tarde"), else the whole span. */
function candidateWindows(candidate: Candidate, daily: readonly DailySpan[], timeZone: string): TimeWindow[] {
  if ('from' in candidate) {
    const from = instant(candidate.from, timeZone);
    return [{ from, to: candidate.to ? instant(candidate.to, timeZone) : new Date(from.getTime() + HOUR_MS) }];
  }
  if (daily.length === 0) {
    const end = addDays(candidate.firstDay, candidate.dayCount);
    return [
      {
        from: instant({ date: candidate.firstDay, clock: '00:00' }, timeZone),
        to: instant({ date: end, clock: '00:00' }, timeZone),
      },
    ];
  }
  const days = Array.from({ length: candidate.dayCount }, (_, index) => addDays(candidate.firstDay, index));
  return days.flatMap((day) => daily.map((span) => dailyWindow(day, span, timeZone)));
}

/** A time of day alone applies to each of the next days, today first. */
function dailyWindows(daily: readonly DailySpan[], now: Date, timeZone: string): TimeWindow[] {
  const today = localDate(now, timeZone).isoDate;
  const days = Array.from({ length: DAILY_DAYS }, (_, index) => addDays(today, index));
  return notBefore(
    days.flatMap((day) => daily.map((span) => dailyWindow(day, span, timeZone))),
    now,
  );
}

function dailyWindow(day: string, span: DailySpan, timeZone: string): TimeWindow {
  const from = instant({ date: day, clock: span.from }, timeZone);
  return { from, to: span.to ? instant({ date: day, clock: span.to }, timeZone) : new Date(from.getTime() + HOUR_MS) };
}

/** Drops windows that are over and starts the current one at `now`. */
function notBefore(windows: readonly TimeWindow[], now: Date): TimeWindow[] {
  return windows
    .filter((window) => window.to > now)
    .map((window) => (window.from < now ? { from: now, to: window.to } : window));
}

function onlyPartOfDay(readings: readonly Reading[]): PartOfDay | undefined {
  const parts = new Set(
    readings.map((reading) =>
      reading.kind === 'daily' ? reading.span.partOfDay : reading.kind === 'dated' ? reading.partOfDay : undefined,
    ),
  );
  parts.delete(undefined);
  return parts.size === 1 ? [...parts][0] : undefined;
}

function instant(time: LocalTime, timeZone: string): Date {
  return time.clock === '24:00'
    ? zonedTime(addDays(time.date, 1), '00:00', timeZone)
    : zonedTime(time.date, time.clock, timeZone);
}

/** "2026-11-24 12:00:00" → date and HH:MM. */
function localTime(resolved: string): LocalTime {
  return { date: resolved.slice(0, 10), clock: resolved.length > 10 ? resolved.slice(11, 16) : '00:00' };
}

/** "15:00:00" → "15:00". */
function clockOf(resolved: string): string {
  return resolved.slice(0, 5);
}

function candidateStart(candidate: Candidate): string {
  return 'from' in candidate ? `${candidate.from.date} ${candidate.from.clock}` : candidate.firstDay;
}

function shiftCandidate(candidate: Candidate, days: number): Candidate {
  if (!('from' in candidate)) return { ...candidate, firstDay: addDays(candidate.firstDay, days) };
  const shift = (time: LocalTime): LocalTime => ({ ...time, date: addDays(time.date, days) });
  return candidate.to ? { from: shift(candidate.from), to: shift(candidate.to) } : { from: shift(candidate.from) };
}

/** Calendar arithmetic on YYYY-MM-DD, free of time zones. */
function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate.slice(0, 10)}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(startDate: string, endDate: string): number {
  return Math.round(
    (Date.parse(`${endDate.slice(0, 10)}T00:00:00Z`) - Date.parse(`${startDate.slice(0, 10)}T00:00:00Z`)) / DAY_MS,
  );
}

function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
