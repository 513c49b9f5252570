/**
 * Reads a date of birth as browsers send it: `YYYY-MM-DD` from the date input, or typed numbers where a browser
 * shows a plain text box instead (month first in English, day first in Spanish, as people write them).
 */
import type { SecurePageLanguage } from '../../identity/secure-links';

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
