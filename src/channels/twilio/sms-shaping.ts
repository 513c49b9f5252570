/**
 * Shaping text for SMS (and the numbered options WhatsApp shares): carriers bill and split by segment, and one curly
 * quote or emoji switches a whole message from GSM-7 (160 characters, 153 per part) to UCS-2 (70, 67 per part).
 * Here: encoding detection and segment counting, replacing typographic look-alikes that force UCS-2 without changing
 * the meaning, splitting long automated texts at sentence boundaries, and quick replies as numbered options — both
 * rendering them ("Reply 1, 2 or 3") and reading a patient's "2" or "Location" back as the option's payload.
 */
import type { QuickReply } from '../../conversation/outbound-draft';
import type { Language } from '../../nlu/nlu-engine';

/** Automated SMS texts are kept to at most this many characters (two GSM-7 segments and a bit). */
export const SMS_MAX_LENGTH = 320;

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  readonly encoding: SmsEncoding;
  /** Septets for GSM-7 (an extension-table character counts 2), UTF-16 code units for UCS-2. */
  readonly units: number;
  readonly segments: number;
}

/** The GSM 03.38 default alphabet (one septet each). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: an escape septet plus one, so two septets each. */
const GSM_EXTENDED = '^{}\\[~]|€\f';

const basicSet = new Set(GSM_BASIC);
const extendedSet = new Set(GSM_EXTENDED);

const SEGMENT_LIMITS = {
  'GSM-7': { single: 160, perPart: 153 },
  'UCS-2': { single: 70, perPart: 67 },
} as const satisfies Record<SmsEncoding, { single: number; perPart: number }>;

/** GSM-7 when every character is in the GSM default alphabet or its extension table, else UCS-2. */
export function detectEncoding(text: string): SmsEncoding {
  for (const char of text) {
    if (!basicSet.has(char) && !extendedSet.has(char)) return 'UCS-2';
  }
  return 'GSM-7';
}

/**
 * How many segments a text is sent as. Multi-part messages lose room to the concatenation header, and a character
 * never straddles two parts (an escaped GSM character or a surrogate pair moves whole to the next part).
 */
export function countSegments(text: string): SegmentCount {
  const encoding = detectEncoding(text);
  const widths = [...text].map((char) => (encoding === 'GSM-7' ? (extendedSet.has(char) ? 2 : 1) : char.length));
  const units = widths.reduce((sum, width) => sum + width, 0);
  const limits = SEGMENT_LIMITS[encoding];
  if (units <= limits.single) return { encoding, units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > limits.perPart) {
      segments += 1;
      used = 0;
    }
    used += width;
  }
  return { encoding, units, segments };
}

/** Typographic characters outside GSM-7 and their plain equivalents (same meaning, no UCS-2). */
const LOOK_ALIKES: ReadonlyArray<readonly [RegExp, string]> = [
  [/[\u2018\u2019\u201A\u201B\u2032\u2035\u02BC\u00B4\u2039\u203A`]/g, "'"], // curly single quotes, prime, acute, ‹ ›
  [/[\u201C\u201D\u201E\u201F\u2033\u2036\u00AB\u00BB]/g, '"'], // curly double quotes, double prime, « »
  [/[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]/g, '-'], // hyphens, en/em dashes, minus sign
  [/\u2026/g, '...'], // ellipsis
  [/[\u2022\u2023\u2043]/g, '-'], // bullets
  [/[\u00A0\u2000-\u200A\u202F\u205F\u3000\t]/g, ' '], // non-breaking and other spaces, tab
  [/[\u2028\u2029]/g, '\n'], // line and paragraph separators
  [/[\u200B\u2060\uFEFF\u00AD]/g, ''], // zero-width space, word joiner, byte-order mark, soft hyphen
];

/** Replaces look-alikes that would force UCS-2 (curly quotes, dashes, ellipsis, special spaces…); the rest is kept. */
export function replaceLookAlikes(text: string): string {
  return LOOK_ALIKES.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text);
}

/**
 * Splits a text longer than `maxLength` into parts of at most `maxLength` characters, at sentence boundaries where
 * possible, else between words, else (one enormous word) between characters. Shorter texts come back whole.
 */
export function splitAtSentences(text: string, maxLength: number = SMS_MAX_LENGTH, lang: Language = 'en'): string[] {
  if (text.length <= maxLength) return [text];
  const sentences = sentencesOf(text, lang);
  return pack(sentences, maxLength, (sentence) =>
    pack(sentence.split(/(?<=\s)/), maxLength, (word) => splitCharacters(word, maxLength)),
  );
}

/** Titles and street abbreviations after which ICU's sentence rules break, though the sentence goes on. */
const ABBREVIATION_END = /(?:^|\s)(?:Dr|Dra|Drs|Mr|Mrs|Ms|Sr|Sra|Srta|St|Ste|Ave|Apt|No|Nº)\.\s*$/;

/** Sentences with their trailing spaces (so they join back unchanged), not broken after "Dr." or "Sra.". */
function sentencesOf(text: string, lang: Language): string[] {
  const sentences: string[] = [];
  for (const { segment } of new Intl.Segmenter(lang, { granularity: 'sentence' }).segment(text)) {
    const previous = sentences.at(-1);
    if (previous !== undefined && ABBREVIATION_END.test(previous)) sentences[sentences.length - 1] = previous + segment;
    else sentences.push(segment);
  }
  return sentences;
}

/** Packs pieces greedily into parts ≤ maxLength; a piece too long on its own is broken up by `breakUp`. */
function pack(pieces: readonly string[], maxLength: number, breakUp: (piece: string) => string[]): string[] {
  const parts: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim()) parts.push(current.trim());
    current = '';
  };
  for (const piece of pieces) {
    if ((current + piece).trim().length <= maxLength) {
      current += piece;
      continue;
    }
    flush();
    if (piece.trim().length <= maxLength) current = piece;
    else parts.push(...breakUp(piece.trim()));
  }
  flush();
  return parts;
}

/** Cuts between characters (never inside a surrogate pair). */
function splitCharacters(word: string, maxLength: number): string[] {
  const parts: string[] = [];
  let current = '';
  for (const char of word) {
    if (current.length + char.length > maxLength) {
      parts.push(current);
      current = '';
    }
    current += char;
  }
  if (current) parts.push(current);
  return parts;
}

const OPTION_PROMPTS = {
  en: { verb: 'Reply', or: 'or' },
  es: { verb: 'Responda', or: 'o' },
} as const satisfies Record<Language, { verb: string; or: string }>;

/**
 * A text with its quick replies as numbered options, for channels without buttons:
 * "…\nReply 1, 2 or 3:\n1) Hours\n2) Location\n3) Book a visit" (Spanish: "Responda 1, 2 o 3:").
 */
export function renderWithOptions(text: string, quickReplies: readonly QuickReply[], lang: Language): string {
  if (quickReplies.length === 0) return text;
  const prompt = OPTION_PROMPTS[lang];
  const numbers = quickReplies.map((_, index) => String(index + 1));
  const choices =
    numbers.length === 1 ? numbers[0]! : `${numbers.slice(0, -1).join(', ')} ${prompt.or} ${numbers.at(-1)!}`;
  const lines = quickReplies.map((reply, index) => `${index + 1}) ${reply.title}`);
  return [text, `${prompt.verb} ${choices}:`, ...lines].join('\n');
}

export { optionFromReply } from '../../conversation/quick-reply-matching';
