/**
 * Frustration or anger in a patient's message (an escalation rule): a person should take over before the bot makes
 * it worse. Words and shouting, in English and Spanish; checked locally before any NLU, in microseconds.
 */
const WORDS =
  /\b(useless|stupid|idiot\w*|ridiculous|frustrat\w*|angry|furious|pissed|annoy\w*|fed up|waste of (my )?time|worst|terrible|awful|not helping|(doesn'?t|does not|don'?t) help|not listening|wtf|hate (this|you)|in[uú]til|est[uú]pid\w*|rid[ií]cul\w*|frustrad\w*|enojad\w*|molest\w*|hart[oa]|p[eé]rdida de tiempo|no sirve|no me ayuda|p[eé]sim\w*|furios\w*)\b/iu;

export function soundsFrustrated(text: string): boolean {
  if (WORDS.test(text)) return true;
  if (/!{3,}/.test(text)) return true;
  // Shouting: a sentence in capitals (short ones like "OK" or "STOP" are not).
  const letters = text.replace(/[^\p{L}]/gu, '');
  return letters.length >= 12 && letters === letters.toUpperCase() && letters !== letters.toLowerCase();
}
