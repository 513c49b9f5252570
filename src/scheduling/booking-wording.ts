/** What the bot says while booking, in the patient's language and the practice's time zone. */
import type { EmrSlot } from '../emr/emr-adapter';
import type { Language } from '../nlu/nlu-engine';

const LOCALE: Record<Language, string> = { en: 'en-US', es: 'es-US' };

/** 'Tue, Nov 24, 1:00 PM' (es: 'mar, 24 nov, 1:00 p. m.'): short enough for a quick-reply button. */
export function slotTime(start: Date, lang: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALE[lang], {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(start);
}

/** 'Tue, Nov 24, 1:00 PM with Dr. James Chen (Main Street Office)'. */
export function slotLabel(slot: EmrSlot, lang: Language, timeZone: string): string {
  const connector = lang === 'es' ? 'con' : 'with';
  return `${slotTime(slot.start, lang, timeZone)} ${connector} ${slot.practitionerName} (${slot.locationName})`;
}

/** The offer's words; the times themselves go as quick replies (numbered options where there are no buttons). */
export function slotOffer(count: number, lang: Language): string {
  if (lang === 'es') return count === 1 ? 'Tengo este horario. ¿Le sirve?' : 'Tengo estos horarios. ¿Cuál prefiere?';
  return count === 1 ? 'I have this time. Does it suit you?' : 'I have these times. Which one would you like?';
}

export const NONE_OF_THESE: Record<Language, string> = { en: 'None of these', es: 'Ninguno de estos' };

/** The confirmation the patient gets once the EMR holds the booking (PHI: it goes through the gate). */
export function bookedAnswer(description: string, lang: Language, moved: boolean): string {
  if (lang === 'es') return `${moved ? 'Listo, cambié su cita' : 'Listo, su cita está reservada'}: ${description}.`;
  return `${moved ? 'Done, your appointment is moved' : "You're booked"}: ${description}.`;
}
