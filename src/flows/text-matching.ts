/** Normalisation for matching what patients type: lower case, accents stripped, punctuation to spaces. */
export function normalizeForMatching(text: string): string {
  return ` ${text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

/** True when `phrase` occurs in `text` as whole words (both normalised). */
export function containsPhrase(text: string, phrase: string): boolean {
  return normalizeForMatching(text).includes(normalizeForMatching(phrase));
}
