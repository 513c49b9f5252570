/** How an appointment reads to a patient, in their language and the practice's time zone. */
import type { EmrAppointment } from '../emr/emr-adapter';
import type { Language } from '../nlu/nlu-engine';

const LOCALE: Record<Language, string> = { en: 'en-US', es: 'es-US' };

export function describeAppointment(appointment: EmrAppointment, lang: Language, timeZone: string): string {
  const when = new Intl.DateTimeFormat(LOCALE[lang], {
    timeZone,
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(appointment.start);
  return lang === 'es'
    ? `${appointment.visitType} con ${appointment.practitionerName} en ${appointment.locationName}, ${when}`
    : `${appointment.visitType} with ${appointment.practitionerName} at ${appointment.locationName}, ${when}`;
}

/** The answer to "when is my next appointment?" for a verified patient. */
export function upcomingAppointmentsAnswer(
  appointments: readonly EmrAppointment[],
  lang: Language,
  timeZone: string,
): string {
  const [next, ...later] = appointments;
  if (!next) return lang === 'es' ? 'No tiene citas próximas.' : 'You have no upcoming appointments.';
  const first =
    lang === 'es'
      ? `Su próxima cita: ${describeAppointment(next, lang, timeZone)}.`
      : `Your next appointment: ${describeAppointment(next, lang, timeZone)}.`;
  if (later.length === 0) return first;
  const more = later.map((appointment) => describeAppointment(appointment, lang, timeZone)).join('; ');
  return `${first} ${lang === 'es' ? 'Después' : 'After that'}: ${more}.`;
}
