/**
 * Minimum necessary: before a patient's words leave for a third-party NLU, what identifies them is replaced by a
 * placeholder — phone numbers, emails, dates in past years (birth dates), and record or insurance numbers (any token
 * with five or more digits). The turn keeps the original text for the flow step that needs it; only the copy sent
 * away is masked. Phones and emails are found with Microsoft's sequence recognizers, dates with its date recognizer.
 */
import { recognizeDateTime, recognizeEmail, recognizePhoneNumber } from '@microsoft/recognizers-text-suite';
import type { Language } from './nlu-engine';

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

const CULTURES: Readonly<Record<Language, string>> = { en: 'en-us', es: 'es-es' };
/** Record, member and insurance numbers: a run of letters, digits and dashes holding five or more digits. */
const LONG_NUMBER = /[A-Za-z0-9-]*\d(?:[A-Za-z-]*\d){4,}[A-Za-z0-9-]*/g;

interface Span {
  readonly start: number;
  readonly end: number;
  readonly kind: MaskedKind;
}

export function maskForThirdParty(text: string, lang: Language, now: Date): MaskedText {
  const culture = CULTURES[lang];
  const spans: Span[] = [
    ...recognizePhoneNumber(text, culture).map((found) => ({
      start: found.start,
      end: found.end,
      kind: 'phone' as const,
    })),
    ...recognizeEmail(text, culture).map((found) => ({ start: found.start, end: found.end, kind: 'email' as const })),
    ...recognizeDateTime(text, culture)
      .filter((found) => isPastYearDate(found.resolution, now))
      .map((found) => ({ start: found.start, end: found.end, kind: 'birth_date' as const })),
  ];
  let masked = replaceSpans(text, spans);
  const kinds = spans.map((span) => span.kind);
  masked = masked.replace(LONG_NUMBER, () => {
    kinds.push('number');
    return PLACEHOLDERS.number;
  });
  return { text: masked, masked: kinds };
}

/** A date with its year written, before this year: how people give a birth date (appointments are this year or next). */
function isPastYearDate(resolution: unknown, now: Date): boolean {
  const values = (resolution as { values?: Array<{ type?: string; timex?: string }> } | undefined)?.values ?? [];
  return values.some((value) => {
    const year = /^(\d{4})-\d{2}-\d{2}/.exec(value.timex ?? '')?.[1];
    return value.type === 'date' && year !== undefined && Number(year) < now.getUTCFullYear();
  });
}

/** Replaces each span (end inclusive, as the recognizers report it); overlapping spans keep the first. */
function replaceSpans(text: string, spans: readonly Span[]): string {
  let result = '';
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < at) continue;
    result += text.slice(at, span.start) + PLACEHOLDERS[span.kind];
    at = span.end + 1;
  }
  return result + text.slice(at);
}
