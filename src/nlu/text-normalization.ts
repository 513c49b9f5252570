/**
 * Text normalisation shared by the rules of this folder (emergency rule, language guess, entity gating):
 * lower case, accents stripped, typographic apostrophes made plain, whitespace collapsed.
 */

/** Lower-cases `text`, strips diacritics (keeping ñ as n), unifies apostrophes and collapses whitespace. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** Splits normalised text into word tokens (letters, digits and inner apostrophes). */
export function wordsOf(normalized: string): string[] {
  return normalized.match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
}
