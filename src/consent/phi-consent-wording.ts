/**
 * What the patient is told about PHI on a text channel: the one-time consent question (its exact text is the
 * ledger's evidence), the answers to YES and NO, and the secure-link offer that replaces a withheld answer.
 */
import type { Language } from '../nlu/nlu-engine';

const QUESTION: Record<Language, string> = {
  en: 'Would you like us to text you answers that include your health information, such as appointment details? Text messages are not secure: anyone who sees your phone could read them. Reply YES to agree or NO to keep using secure links. You can reply STOP at any time.',
  es: '¿Desea que le enviemos por mensaje de texto respuestas con su información de salud, como los detalles de sus citas? Los mensajes de texto no son seguros: cualquiera que vea su teléfono podría leerlos. Responda SÍ para aceptar o NO para seguir usando enlaces seguros. Puede responder STOP en cualquier momento.',
};

const GRANTED: Record<Language, string> = {
  en: 'Thank you. Once you have confirmed your identity on a secure page, we can text you answers like this. Reply STOP at any time to stop.',
  es: 'Gracias. Una vez que confirme su identidad en una página segura, podremos enviarle respuestas como esta por mensaje de texto. Responda STOP en cualquier momento para dejar de recibirlos.',
};

const GRANTED_VERIFIED: Record<Language, string> = {
  en: 'Thank you. We will text you answers like this from now on. Reply STOP at any time to stop.',
  es: 'Gracias. A partir de ahora le enviaremos respuestas como esta por mensaje de texto. Responda STOP en cualquier momento para dejar de recibirlos.',
};

const REFUSED: Record<Language, string> = {
  en: 'Understood. We will not text your health information; we will send you a secure link instead.',
  es: 'Entendido. No le enviaremos su información de salud por mensaje de texto; le enviaremos un enlace seguro.',
};

export function phiConsentQuestion(lang: Language): string {
  return QUESTION[lang];
}

export function phiConsentAcknowledgement(answer: 'yes' | 'no', lang: Language, verified: boolean): string {
  if (answer === 'no') return REFUSED[lang];
  return verified ? GRANTED_VERIFIED[lang] : GRANTED[lang];
}

/** "I can show you that on a secure page: <link>" in the conversation's language. */
export function secureLinkOffer(url: string, lang: Language): string {
  return lang === 'es'
    ? `Puedo mostrarle esa información en una página segura: ${url} (le pediremos su fecha de nacimiento y un código).`
    : `I can show you that on a secure page: ${url} (we will ask for your date of birth and a code).`;
}

/** YES / NO to the consent question, in either language; undefined for anything else. */
export function phiConsentAnswer(text: string): 'yes' | 'no' | undefined {
  const words = text
    .trim()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z ]/g, '')
    .trim();
  if (/^(yes|y|yeah|yep|si|i agree|agree|acepto)$/.test(words)) return 'yes';
  if (/^(no|n|nope|no thanks|no gracias)$/.test(words)) return 'no';
  return undefined;
}
