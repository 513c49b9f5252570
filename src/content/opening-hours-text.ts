/**
 * Opening hours as a practice manager types them ("9am–12pm", "8:00 AM to 5:00 PM, 6pm-7pm", "closed") and back, so
 * the editor needs no time pickers. Time ranges are read with Microsoft's recognizers; anything else in the text is
 * refused with the reason rather than guessed.
 */
import { recognizeDateTime } from '@microsoft/recognizers-text-suite';
import { ValidationError } from '../errors';
import type { OpeningPeriod } from '../practice/practice-profile';

const CLOSED = /^\s*(closed|cerrado|-|—)?\s*$/i;
const SEPARATORS = /^[\s,;&]*(and|y)?[\s,;&]*$/i;

/** `label` names the field in the error ("Saturday"). */
export function parseOpeningHours(text: string, label: string): OpeningPeriod[] {
  if (CLOSED.test(text)) return [];
  const ranges = recognizeDateTime(text, 'en-us').filter((result) => result.typeName === 'datetimeV2.timerange');
  const periods: OpeningPeriod[] = [];
  let covered = 0;
  for (const range of ranges) {
    const between = text.slice(covered, range.start);
    if (!SEPARATORS.test(between)) throw unreadable(label, text);
    const value = (range.resolution as { values?: Array<{ start?: string; end?: string }> } | undefined)?.values?.[0];
    if (!value?.start || !value.end) throw unreadable(label, text);
    const period = { opens: value.start.slice(0, 5), closes: value.end.slice(0, 5) };
    if (period.opens >= period.closes) throw new ValidationError(`${label}: "${range.text}" closes before it opens`);
    periods.push(period);
    covered = range.end + 1;
  }
  if (periods.length === 0 || !SEPARATORS.test(text.slice(covered))) throw unreadable(label, text);
  return periods.sort((a, b) => (a.opens < b.opens ? -1 : 1));
}

function unreadable(label: string, text: string): ValidationError {
  return new ValidationError(`${label}: "${text.trim()}" is not opening hours like "9am–12pm" or "closed"`);
}

/** "9am–12pm, 1:30pm–5pm", or "closed". */
export function formatOpeningHours(periods: readonly OpeningPeriod[]): string {
  if (periods.length === 0) return 'closed';
  return periods.map((period) => `${clockText(period.opens)}–${clockText(period.closes)}`).join(', ');
}

function clockText(time: string): string {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  const suffix = hours < 12 ? 'am' : 'pm';
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  return `${hour12}${minutes === 0 ? '' : `:${String(minutes).padStart(2, '0')}`}${suffix}`;
}
