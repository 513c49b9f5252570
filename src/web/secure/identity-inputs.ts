/**
 * Reads what the identity check's first step asks for: a date of birth as browsers send it (`YYYY-MM-DD` from the
 * date input, or typed numbers where a browser shows a plain text box: month first in English, day first in Spanish,
 * as people write them), and a phone number as people type it.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { SecurePageLanguage } from '../../identity/secure-links';

/** The practice's country, for numbers typed without a country code. */
const DEFAULT_COUNTRY = 'US';

/**
 * A typed phone number as E.164, or undefined when it cannot be one. Only the length is checked (`isPossible`): the
 * number has to match the record anyway, and stricter validity would refuse the 555 numbers of test data.
 */
export function parsePhoneOnRecord(raw: string): string | undefined {
  const parsed = parsePhoneNumberFromString(raw.trim(), DEFAULT_COUNTRY);
  return parsed?.isPossible() ? parsed.number : undefined;
}

const EARLIEST_YEAR = 1900;

/** The date as `YYYY-MM-DD`, or undefined when it is not a real past date. */
export function parseBirthDate(raw: string, language: SecurePageLanguage, today: Date): string | undefined {
  const parts = raw
    .trim()
    .split(/\D+/)
    .filter((part) => part.length > 0);
  if (parts.length !== 3) return undefined;
  const [first, second, third] = parts as [string, string, string];
  const [year, month, day] =
    first.length === 4 ? [first, second, third] : language === 'es' ? [third, second, first] : [third, first, second];
  if (year.length !== 4 || month.length > 2 || day.length > 2) return undefined;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const real =
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day);
  if (!real || Number(year) < EARLIEST_YEAR || date.getTime() > today.getTime()) return undefined;
  return date.toISOString().slice(0, 10);
}
