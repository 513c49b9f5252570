/** What the patient is told when a person takes over: who, and on which terms (a reply target, or when we open). */
import type { Department } from '../db/staff-tables';
import type { Language } from '../nlu/nlu-engine';

const TEAM: Readonly<Record<Department, Record<Language, string>>> = {
  front_desk: { en: 'our front desk', es: 'nuestra recepción' },
  nurse_line: { en: 'our nurse team', es: 'nuestro equipo de enfermería' },
  billing: { en: 'our billing office', es: 'nuestra oficina de facturación' },
  practice_management: { en: 'our office manager', es: 'la administración' },
};

export interface HandoffTerms {
  readonly department: Department;
  readonly lang: Language;
  readonly practicePhone: string;
  /** Minutes to the reply target while open; undefined when the office is closed. */
  readonly replyWithinMinutes?: number;
  /** When closed: when we open next, already worded ("tomorrow at 8:00 AM"). */
  readonly opening?: string;
}

export function handoffNotice(terms: HandoffTerms): string {
  const team = TEAM[terms.department][terms.lang];
  if (terms.replyWithinMinutes !== undefined) {
    const within = duration(terms.replyWithinMinutes, terms.lang);
    return terms.lang === 'es'
      ? `Una persona de ${team} se unirá a esta conversación y le responderá aquí en menos de ${within}. Si es urgente, llame al ${terms.practicePhone}.`
      : `A member of ${team} will join this conversation and reply here within ${within}. For anything urgent, call ${terms.practicePhone}.`;
  }
  const opening = terms.opening ?? (terms.lang === 'es' ? 'en cuanto abramos' : 'as soon as we open');
  return terms.lang === 'es'
    ? `Nuestra oficina está cerrada en este momento. Una persona de ${team} le responderá aquí cuando abramos, ${opening}. Si es urgente, llame al ${terms.practicePhone}; en una emergencia, llame al 911.`
    : `Our office is closed right now. A member of ${team} will reply here when we open, ${opening}. For anything urgent, call ${terms.practicePhone}; in an emergency, call 911.`;
}

/** "15 minutes", "1 hour", "2 hours" / "15 minutos", "1 hora". */
function duration(minutes: number, lang: Language): string {
  const hours = minutes / 60;
  if (minutes >= 60 && Number.isInteger(hours)) {
    if (lang === 'es') return hours === 1 ? '1 hora' : `${hours} horas`;
    return hours === 1 ? '1 hour' : `${hours} hours`;
  }
  const rounded = Math.max(1, Math.round(minutes));
  if (lang === 'es') return rounded === 1 ? '1 minuto' : `${rounded} minutos`;
  return rounded === 1 ? '1 minute' : `${rounded} minutes`;
}

/** Said before the terms when the patient sounded frustrated. */
export function frustrationApology(lang: Language): string {
  return lang === 'es'
    ? 'Siento mucho que esto esté siendo difícil. Le comunico con una persona.'
    : "I'm sorry this has been frustrating. Let me get you to a person.";
}
