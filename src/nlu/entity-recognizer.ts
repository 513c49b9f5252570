/**
 * Entities of a message (date/time, number, phone number, email) from `@microsoft/recognizers-text-suite`
 * in the message's culture. The recognizers are costly: once warm, a date/time recognition takes ~3–8 ms in
 * English and ~7–20 ms in Spanish (the first call per language takes ~0.5–1.5 s to build the models, hence
 * `warmUpEntityRecognizers`). So each recognizer runs only when the text can contain what it finds: a digit,
 * an '@', or a day/time/number word of the language; other messages cost microseconds.
 */
import {
  Culture,
  recognizeDateTime,
  recognizeEmail,
  recognizeNumber,
  recognizePhoneNumber,
} from '@microsoft/recognizers-text-suite';
import type { Language, NluEntity } from './nlu-engine';
import { normalizeText } from './text-normalization';

export const ENTITY_TYPES = ['datetime', 'number', 'phone_number', 'email'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** The value of a `datetime` entity: the recognizer's subtype and its resolutions (timex, value or start/end). */
export interface DateTimeEntityValue {
  subtype: string;
  resolutions: Array<Record<string, string>>;
}

const CULTURES: Record<Language, string> = { en: Culture.English, es: Culture.Spanish };

const NUMBER_WORDS: Record<Language, string> = {
  en: 'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|first|second|third|half|dozen',
  es: 'dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|primer|primero|primera|segundo|segunda|tercer|tercero|media',
};

const DATE_TIME_WORDS: Record<Language, string> = {
  en:
    'today|tonight|tomorrow|tmrw|tmr|yesterday|morning|afternoon|evening|noon|midnight|night|day|days|week|weeks|weekend|' +
    "month|months|year|next|last|am|pm|o'?clock|hour|hours|minute|minutes|now|asap|later|early|late|" +
    'monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thu|friday|fri|saturday|sat|sunday|sun|' +
    'january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep|' +
    'october|oct|november|nov|december|dec|christmas|thanksgiving|easter|new year',
  es:
    'hoy|manana|pasado|ayer|tarde|noche|mediodia|medianoche|dia|dias|semana|semanas|mes|meses|ano|' +
    'proximo|proxima|siguiente|que viene|pasada|hora|horas|minuto|minutos|ahora|temprano|luego|' +
    'lunes|martes|miercoles|jueves|viernes|sabado|domingo|enero|febrero|marzo|abril|mayo|junio|julio|agosto|' +
    'septiembre|setiembre|octubre|noviembre|diciembre|navidad|pascua',
};

const mayHaveNumber = buildWordTest(NUMBER_WORDS);
const mayHaveDateTime = buildWordTest({
  en: `${DATE_TIME_WORDS.en}|${NUMBER_WORDS.en}`,
  es: `${DATE_TIME_WORDS.es}|${NUMBER_WORDS.es}`,
});

function buildWordTest(words: Record<Language, string>): Record<Language, RegExp> {
  return { en: new RegExp(`\\b(?:${words.en})\\b`), es: new RegExp(`\\b(?:${words.es})\\b`) };
}

interface RecognizerResult {
  start: number;
  end: number;
  typeName: string;
  resolution: Record<string, unknown> | undefined;
}

/** Finds the entities of `text` in `lang`; relative dates ("next tuesday") resolve against `referenceDate`. */
export function recognizeEntities(text: string, lang: Language, referenceDate: Date): NluEntity[] {
  const normalized = normalizeText(text);
  const hasDigit = /\d/.test(text);
  const culture = CULTURES[lang];
  const entities: NluEntity[] = [];
  if (text.includes('@')) entities.push(...recognizeEmail(text, culture).map((r) => toEntity(text, r, 'email')));
  if ((text.match(/\d/g)?.length ?? 0) >= 7) {
    entities.push(...recognizePhoneNumber(text, culture).map((r) => toEntity(text, r, 'phone_number')));
  }
  if (hasDigit || mayHaveDateTime[lang].test(normalized)) {
    entities.push(
      ...recognizeDateTime(text, culture, undefined, referenceDate).map((r) => toEntity(text, r, 'datetime')),
    );
  }
  if (hasDigit || mayHaveNumber[lang].test(normalized)) {
    entities.push(...recognizeNumber(text, culture).map((r) => toEntity(text, r, 'number')));
  }
  return withoutOverlappedNumbers(entities).sort((a, b) => a.start - b.start);
}

/** Runs every recognizer once per language so that their first (slow) initialisation is not paid by a user. */
export function warmUpEntityRecognizers(): void {
  const samples: Record<Language, string> = {
    en: 'next tuesday at 4 pm, call 555-010-4477 or write to a@example.com',
    es: 'el próximo martes a las 3 de la tarde, llame al 555-010-4477 o escriba a a@example.com',
  };
  for (const lang of Object.keys(samples) as Language[]) recognizeEntities(samples[lang], lang, new Date());
}

function toEntity(text: string, result: RecognizerResult, type: EntityType): NluEntity {
  const end = result.end + 1;
  return { type, text: text.slice(result.start, end), value: valueOf(result, type), start: result.start, end };
}

function valueOf(result: RecognizerResult, type: EntityType): unknown {
  const resolution = result.resolution ?? {};
  if (type === 'datetime') {
    const values = Array.isArray(resolution.values) ? (resolution.values as Array<Record<string, string>>) : [];
    const value: DateTimeEntityValue = { subtype: result.typeName.replace(/^datetimeV2\./, ''), resolutions: values };
    return value;
  }
  if (type === 'number') return Number(resolution.value);
  return String(resolution.value ?? '');
}

/** A number inside a date/time or a phone number ("4" of "next tuesday at 4") is not an entity of its own. */
function withoutOverlappedNumbers(entities: NluEntity[]): NluEntity[] {
  const containers = entities.filter((e) => e.type !== 'number');
  return entities.filter(
    (entity) => entity.type !== 'number' || !containers.some((c) => entity.start < c.end && c.start < entity.end),
  );
}
