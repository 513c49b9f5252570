/**
 * Reading a booking request from the patient's words: the visit type, a wish for a practitioner, the numbered option
 * picked, and whether they speak of an appointment they already have. Word lists cover English and Spanish, matched
 * without accents or case.
 */
import type { VisitType } from '../emr/emr-adapter';
import { normalizeForMatching } from '../flows/text-matching';

const VISIT_TYPE_WORDS: readonly [VisitType, RegExp][] = [
  [
    'annual-physical',
    /\b(check ?-?ups?|physicals?|annual|yearly|wellness|chequeo|revision|examen (fisico|anual)|fisico anual)\b/,
  ],
  ['sick-visit', /\b(sick|ill|fever|cough|flu|sore|pain|hurts?|enferm[oa]|fiebre|tos|gripe|dolor|malestar)\b/],
  ['follow-up', /\b(follow ?-?ups?|recheck|seguimiento|control|revision de resultados)\b/],
  ['new-patient', /\b(new patient|first visit|paciente nuevo|nueva paciente|primera (cita|visita|consulta))\b/],
];

/** The visit type the words name, if any ('I need a checkup' → annual-physical). */
export function visitTypeIn(text: string): VisitType | undefined {
  const words = normalizeForMatching(text);
  return VISIT_TYPE_WORDS.find(([, pattern]) => pattern.test(words))?.[0];
}

/** The payload of a visit-type quick reply ('visit:sick-visit'), or the type named in free text. */
export function chosenVisitType(text: string, payload: string | undefined): VisitType | undefined {
  const fromPayload = payload?.match(/^visit:(.+)$/)?.[1];
  const known = VISIT_TYPE_WORDS.map(([type]) => type);
  if (fromPayload && (known as string[]).includes(fromPayload)) return fromPayload as VisitType;
  const number = Number(normalizeForMatching(text).trim());
  if (Number.isInteger(number) && number >= 1 && number <= 3) return known[number - 1];
  return visitTypeIn(text);
}

/** Words that follow "doctor" without naming one ("any doctor is fine", "el doctor que sea"). */
const NOT_A_NAME = new Set([
  'is',
  'are',
  'who',
  'that',
  'for',
  'on',
  'at',
  'in',
  'please',
  'asap',
  'today',
  'tomorrow',
  'visit',
  'appointment',
  'que',
  'para',
  'el',
  'la',
  'de',
  'por',
  'hoy',
  'manana',
  'cita',
]);

/** A family name after 'Dr', 'doctor', 'dra' ('with Dr. Chen' → 'chen'), lower-case. */
export function practitionerWish(text: string): string | undefined {
  const name = normalizeForMatching(text).match(/\b(?:dr|dra|doctor|doctora)\s+([a-z]+)/)?.[1];
  return name === undefined || NOT_A_NAME.has(name) ? undefined : name;
}

/**
 * Whether the words are about changing a visit the patient already has ('move my appointment', 'cambiar mi cita');
 * "I need a checkup next Tuesday" is a new booking even when the classifier leans to rescheduling.
 */
export function speaksOfExistingVisit(text: string): boolean {
  return /\b(move|change|reschedul\w*|switch|push|postpone|instead|can ?t make|cannot make|cambiar|mover|reprogramar|aplazar|posponer|no puedo (ir|asistir))\b/.test(
    normalizeForMatching(text),
  );
}

/** The option picked from a numbered list: 'slot:2' or '2' → 1 (zero-based); undefined if none. */
export function pickedOption(
  text: string,
  payload: string | undefined,
  prefix: string,
  count: number,
): number | undefined {
  const fromPayload = payload?.match(new RegExp(`^${prefix}:(\\d+)$`))?.[1];
  const number = Number(
    fromPayload ??
      normalizeForMatching(text)
        .trim()
        .replace(/^(option|opcion|number|numero)\s+/, ''),
  );
  return Number.isInteger(number) && number >= 1 && number <= count ? number - 1 : undefined;
}

/** 'None of these', 'others', 'ninguno', 'otros horarios'... */
export function asksForOtherOptions(text: string, payload: string | undefined): boolean {
  if (payload === 'slot:none') return true;
  return /\b(none|neither|other|others|more|different|later|ninguno|ninguna|otros?|otras?|mas|diferente)\b/.test(
    normalizeForMatching(text),
  );
}
