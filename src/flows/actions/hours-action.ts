/**
 * answer-hours: the location's hours, for the day the patient asked about when they named one ("are you open on
 * Saturday?", "¿abren el sábado?", "today", "mañana"), otherwise the week; holidays override both.
 */
import type { Language } from '../../nlu/nlu-engine';
import {
  type LocalDate,
  endSentence,
  formatDate,
  formatPeriods,
  formatWeeklyHours,
  holidayOn,
  localDate,
  nextDateOn,
  periodsOn,
  upcomingHolidays,
  weekdayName,
} from '../../practice/opening-hours';
import type { PracticeLocation, Weekday } from '../../practice/practice-profile';
import type { FlowAction, FlowActionContext } from '../action-registry';
import { normalizeForMatching } from '../text-matching';

const DAY_WORDS: ReadonlyArray<[RegExp, Weekday]> = [
  [/ (sunday|sundays|sun|domingo|domingos) /, 'sunday'],
  [/ (monday|mondays|mon|lunes) /, 'monday'],
  [/ (tuesday|tuesdays|tues|tue|martes) /, 'tuesday'],
  [/ (wednesday|wednesdays|wed|miercoles) /, 'wednesday'],
  [/ (thursday|thursdays|thurs|thu|jueves) /, 'thursday'],
  [/ (friday|fridays|fri|viernes) /, 'friday'],
  [/ (saturday|saturdays|sat|sabado|sabados) /, 'saturday'],
];

/** The date the text asks about, if it names one. */
export function askedDate(text: string, now: Date, timeZone: string): LocalDate | undefined {
  const normalized = normalizeForMatching(text);
  if (/ (today|tonight|hoy) /.test(normalized)) return localDate(now, timeZone);
  // "mañana" alone is tomorrow; "por la mañana" is "in the morning".
  if (
    / (tomorrow|tmrw|tmr) /.test(normalized) ||
    / manana /.test(normalized.replace(/ (la|las|en la|por la) manana /g, ' '))
  ) {
    return localDate(now, timeZone, 1);
  }
  const day = DAY_WORDS.find(([pattern]) => pattern.test(normalized))?.[1];
  return day ? nextDateOn(now, timeZone, day) : undefined;
}

function answerForDate(location: PracticeLocation, date: LocalDate, lang: Language): string {
  const periods = periodsOn(location, date);
  const holiday = holidayOn(location, date.isoDate);
  const day = weekdayName(date.weekday, lang);
  const holidayNote = holiday ? ` (${formatDate(date.isoDate, lang, false)}, ${holiday.name[lang]})` : '';
  if (periods.length === 0) {
    return lang === 'es' ? `El ${day}${holidayNote} estamos cerrados.` : `We're closed on ${day}${holidayNote}.`;
  }
  const hours = formatPeriods(periods, lang);
  return endSentence(
    lang === 'es'
      ? `Sí, el ${day}${holidayNote} abrimos de ${hours}`
      : `Yes, on ${day}${holidayNote} we're open ${hours}`,
  );
}

function holidayNotice(location: PracticeLocation, now: Date, lang: Language): string {
  const holidays = upcomingHolidays(location, now, 21);
  if (holidays.length === 0) return '';
  const list = holidays
    .map((holiday) => {
      const when = `${formatDate(holiday.date, lang)} (${holiday.name[lang]})`;
      if (holiday.hours.length === 0) return lang === 'es' ? `cerrado el ${when}` : `closed ${when}`;
      return lang === 'es'
        ? `el ${when} de ${formatPeriods(holiday.hours, lang)}`
        : `${when} ${formatPeriods(holiday.hours, lang)}`;
    })
    .join('; ');
  return endSentence(lang === 'es' ? ` Días festivos: ${list}` : ` Holidays: ${list}`);
}

export const answerHoursAction: FlowAction = {
  name: 'answer-hours',
  outcomes: [],
  run(context: FlowActionContext) {
    const location = context.practice.locations[0];
    if (!location)
      return {
        vars: {
          answer:
            context.lang === 'es'
              ? `Llámenos al ${context.practice.profile.phone}.`
              : `Please call us at ${context.practice.profile.phone}.`,
        },
      };
    const date = askedDate(context.text, context.now, location.timeZone);
    const answer = date
      ? answerForDate(location, date, context.lang)
      : endSentence(
          (context.lang === 'es' ? 'Nuestro horario: ' : 'Our hours: ') + formatWeeklyHours(location, context.lang),
        ) + holidayNotice(location, context.now, context.lang);
    return { vars: { answer } };
  },
};
