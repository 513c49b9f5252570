/**
 * HL7 v2 text encoding with the standard delimiters (`|^~\&`): writing segments from plain values, reading
 * components back, and timestamps (DTM). Parsing itself is `@medplum/core`'s `Hl7Message`; it neither escapes nor
 * unescapes, and its date parser accepts garbage (month 13, letters), so values and timestamps are handled here.
 */
import type { Hl7Field, Hl7Message, Hl7Segment } from '@medplum/core';
import { zonedTime } from '../../compliance/quiet-hours';

export const HL7_VERSION = '2.5';
export const SENDING_APPLICATION = 'CLINIC-CONCIERGE';

/** One field: a single value, or its components in order (component 1 first). Undefined is an empty field. */
export type FieldValue = string | readonly string[] | undefined;

const ESCAPES: ReadonlyArray<[RegExp, string]> = [
  [/\\/g, '\\E\\'],
  [/\|/g, '\\F\\'],
  [/\^/g, '\\S\\'],
  [/&/g, '\\T\\'],
  [/~/g, '\\R\\'],
];

/** A value safe inside a component: delimiters escaped, line breaks (segment ends) flattened to spaces. */
export function escapeValue(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ');
  return ESCAPES.reduce((text, [pattern, escaped]) => text.replace(pattern, escaped), flat);
}

const UNESCAPES: Readonly<Record<string, string>> = { F: '|', S: '^', T: '&', R: '~', E: '\\' };

/** The plain value of an escaped component (`\X..\` hex escapes decoded; highlighting escapes dropped). */
export function unescapeValue(value: string): string {
  return value.replace(/\\([^\\]*)\\/g, (_match, code: string) => {
    if (code.startsWith('X') && /^X([0-9A-Fa-f]{2})+$/.test(code))
      return Buffer.from(code.slice(1), 'hex').toString('utf8');
    return UNESCAPES[code] ?? '';
  });
}

function encodeField(field: FieldValue): string {
  if (field === undefined) return '';
  return typeof field === 'string' ? escapeValue(field) : field.map(escapeValue).join('^');
}

/** `NAME|field|field...`, each component escaped; trailing empty fields are left off. */
export function encodeSegment(name: string, fields: readonly FieldValue[]): string {
  const encoded = fields.map(encodeField);
  while (encoded.length > 0 && encoded[encoded.length - 1] === '') encoded.pop();
  return [name, ...encoded].join('|');
}

export interface MessageHeader {
  readonly sendingFacility: string;
  readonly receivingApplication?: string;
  readonly receivingFacility?: string;
  readonly sentAt: Date;
  /** e.g. ['SRM', 'S01', 'SRM_S01']. */
  readonly messageType: readonly string[];
  readonly controlId: string;
}

/** The MSH segment: MSH-1 is the field separator itself, so MSH-2 (the encoding characters) comes first. */
export function encodeHeader(header: MessageHeader): string {
  const fields: FieldValue[] = [
    SENDING_APPLICATION,
    header.sendingFacility,
    header.receivingApplication,
    header.receivingFacility,
    formatTimestamp(header.sentAt),
    undefined,
    header.messageType,
    header.controlId,
    'P',
    HL7_VERSION,
  ];
  return `MSH|^~\\&|${fields.map(encodeField).join('|')}`;
}

/** Segments joined with the HL7 segment terminator (carriage return). */
export function encodeMessage(segments: readonly string[]): string {
  return segments.join('\r');
}

/** Component `component` (1-based) of repetition `repetition` (0-based) of field `field`, unescaped; '' if absent. */
export function componentOf(segment: Hl7Segment | undefined, field: number, component = 1, repetition = 0): string {
  if (segment === undefined) return '';
  return unescapeValue(segment.getComponent(field, component, undefined, repetition)).trim();
}

/** How many repetitions field `field` holds (0 when the segment is too short to have it). */
export function repetitionCount(segment: Hl7Segment, field: number): number {
  // getField is typed as always returning a field, but a segment shorter than `field` has none.
  const value: Hl7Field | undefined = segment.getField(field);
  return value?.components.length ?? 0;
}

/** MSH-9 as [message code, trigger event], e.g. ['SIU', 'S12']. */
export function messageTypeOf(message: Hl7Message): [string, string] {
  const header = message.getSegment('MSH');
  return [componentOf(header, 9, 1).toUpperCase(), componentOf(header, 9, 2).toUpperCase()];
}

/** MSH-10, the sender's message control id. */
export function controlIdOf(message: Hl7Message): string {
  return componentOf(message.getSegment('MSH'), 10);
}

/** A DTM in UTC with an explicit offset (`YYYYMMDDHHMMSS+0000`), so no receiver has to guess our zone. */
export function formatTimestamp(instant: Date): string {
  return `${instant.toISOString().slice(0, 19).replace(/[-T:]/g, '')}+0000`;
}

/** YYYYMMDD[HH[MM[SS[.S[S[S[S]]]]]]][+/-ZZZZ]: a time needs at least its date (a bare year or month is no time). */
const DTM = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d{1,4})?)?)?)?([+-]\d{4})?$/;

/**
 * The instant a DTM names; undefined unless it is a real date and time. A DTM without an offset is the sender's
 * local time, taken to be `timeZone` (the practice's).
 */
export function parseTimestamp(text: string, timeZone: string): Date | undefined {
  const match = DTM.exec(text.trim());
  if (!match) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map((part) => Number(part ?? 0));
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls over (month 13 → January); a real timestamp reads back the same.
  if (wall.getUTCMonth() !== month - 1 || wall.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const offset = match[7];
  if (offset === undefined) {
    const clock = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
    return new Date(zonedTime(wall.toISOString().slice(0, 10), clock, timeZone).getTime() + second * 1000);
  }
  const sign = offset.startsWith('-') ? -1 : 1;
  const offsetMinutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)));
  return new Date(wall.getTime() - offsetMinutes * 60_000);
}

/** An HL7 date (DT, `YYYYMMDD`, or a longer DTM) as `YYYY-MM-DD`; undefined unless it is a real date. */
export function parseDate(text: string): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})/.exec(text.trim());
  if (!match) return undefined;
  const iso = `${match[1]}-${match[2]}-${match[3]}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso ? undefined : iso;
}
