/**
 * Carrier and FCC keyword handling for text channels: STOP-family, START-family and HELP, as whole messages,
 * case-insensitive. Free-text revocation ("please stop texting me") is the NLU's `optout` intent.
 */
import type { Language } from '../nlu/nlu-engine';

export type KeywordKind = 'stop' | 'start' | 'help';

const STOP_WORDS = ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'optout', 'opt out', 'alto', 'parar', 'basta'];
const START_WORDS = ['start', 'unstop', 'subscribe'];
const HELP_WORDS = ['help', 'info', 'ayuda'];

function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The keyword a whole message is, if any. "YES" re-subscribes only a contact who is opted out (otherwise it is an
 * answer to a question).
 */
export function classifyKeyword(text: string, optedOut: boolean): KeywordKind | undefined {
  const word = normalize(text);
  if (STOP_WORDS.includes(word)) return 'stop';
  if (START_WORDS.includes(word) || (optedOut && (word === 'yes' || word === 'si'))) return 'start';
  if (HELP_WORDS.includes(word)) return 'help';
  return undefined;
}

/** Twilio's Advanced Opt-Out tells us when it already handled (and answered) a keyword. */
export function providerHandledKeyword(payload: string | undefined): KeywordKind | undefined {
  const match = /^twilio-opt-out:(STOP|START|HELP)$/i.exec(payload ?? '');
  return match ? (match[1]!.toLowerCase() as KeywordKind) : undefined;
}

export interface KeywordTexts {
  readonly practiceName: string;
  readonly practicePhone: string;
}

export function keywordReply(kind: KeywordKind, lang: Language, { practiceName, practicePhone }: KeywordTexts): string {
  if (lang === 'es') {
    if (kind === 'stop') return `Ya no recibirá mensajes de ${practiceName}. Responda START para volver a suscribirse.`;
    if (kind === 'start') return `Volverá a recibir mensajes de ${practiceName}. Responda HELP para ayuda o STOP para darse de baja. Pueden aplicarse tarifas de mensajes y datos.`;
    return `${practiceName}: asistente automático para citas y preguntas. Ayuda: llame al ${practicePhone}. La frecuencia de mensajes varía. Pueden aplicarse tarifas de mensajes y datos. Responda STOP para darse de baja.`;
  }
  if (kind === 'stop') return `You're unsubscribed from ${practiceName} messages and will get no more. Reply START to resubscribe.`;
  if (kind === 'start') return `You're subscribed to ${practiceName} messages again. Reply HELP for help, STOP to opt out. Msg&data rates may apply.`;
  return `${practiceName}: automated assistant for appointments and questions. For help call ${practicePhone}. Msg frequency varies. Msg&data rates may apply. Reply STOP to opt out.`;
}
