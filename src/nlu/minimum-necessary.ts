/**
 * Minimum necessary: before a patient's words leave for a third-party NLU, what identifies them is replaced by a
 * placeholder — phone numbers, emails, dates in past years (birth dates), and record or insurance numbers (any token
 * with five or more digits). The turn keeps the original text for the flow step that needs them; only the copy sent
 * away is masked. Phones, emails and dates are the entities our recognizer finds (Microsoft's recognizers), so a
 * caller that needs the entities anyway recognizes them once.
 */
import { type DateTimeEntityValue, recognizeEntities } from './entity-recognizer';
import type { Language, NluEntity } from './nlu-engine';

export type MaskedKind = 'phone' | 'email' | 'birth_date' | 'number';

export interface MaskedText {
  readonly text: string;
  /** What was masked, by kind (never the values): for metrics and tests. */
  readonly masked: readonly MaskedKind[];
}

const PLACEHOLDERS: Readonly<Record<MaskedKind, string>> = {
  phone: '[phone]',
  email: '[email]',
  birth_date: '[date]',
  number: '[number]',
};

/** Record, member and insurance numbers: a run of letters, digits and dashes holding five or more digits. */
const LONG_NUMBER = /[A-Za-z0-9-]*\d(?:[A-Za-z-]*\d){4,}[A-Za-z0-9-]*/g;

interface Span {
  readonly start: number;
  readonly end: number;
  readonly kind: MaskedKind;
}

/** Masks `text`; `recognized` are its entities (`recognizeEntities(text, lang, now)`), when the caller has them. */
export function maskForThirdParty(
  text: string,
  lang: Language,
  now: Date,
  recognized: readonly NluEntity[] = recognizeEntities(text, lang, now),
): MaskedText {
  const spans = recognized.flatMap((entity): Span[] => {
    const kind = maskedKindOf(entity, now);
    return kind ? [{ start: entity.start, end: entity.end, kind }] : [];
  });
  let masked = replaceSpans(text, spans);
  const kinds = [...spans].sort((a, b) => a.start - b.start).map((span) => span.kind);
  masked = masked.replace(LONG_NUMBER, () => {
    kinds.push('number');
    return PLACEHOLDERS.number;
  });
  return { text: masked, masked: kinds };
}

function maskedKindOf(entity: NluEntity, now: Date): MaskedKind | undefined {
  if (entity.type === 'phone_number') return 'phone';
  if (entity.type === 'email') return 'email';
  if (entity.type === 'datetime' && isPastYearDate(entity.value as DateTimeEntityValue, now)) return 'birth_date';
  return undefined;
}

/** A date with its year written, before this year: how people give a birth date (appointments are this year or next). */
function isPastYearDate(value: DateTimeEntityValue, now: Date): boolean {
  return value.resolutions.some((resolution) => {
    const year = /^(\d{4})-\d{2}-\d{2}/.exec(resolution.timex ?? '')?.[1];
    return resolution.type === 'date' && year !== undefined && Number(year) < now.getUTCFullYear();
  });
}

/** Replaces each span (end exclusive); overlapping spans keep the first. */
function replaceSpans(text: string, spans: readonly Span[]): string {
  let result = '';
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < at) continue;
    result += text.slice(at, span.start) + PLACEHOLDERS[span.kind];
    at = span.end;
  }
  return result + text.slice(at);
}
