/**
 * The language of a conversation is chosen once and kept, so "ok" or "2" do not flip it; it switches only when a
 * message is clearly written in the other language.
 */
import type { Language } from '../nlu/nlu-engine';

const SPANISH_WORDS = new Set(
  'el la los las de del que y en un una por para con su sus es son est esta estan hay tienen aceptan abren cita citas hola gracias buenos buenas dias tardes noches quiero necesito puedo donde cuando cual como horario seguro medico doctor receta resultados mi mis me usted ustedes tengo tiene hablar favor si no pero sabado domingo lunes martes miercoles jueves viernes hoy manana'.split(' '),
);
const ENGLISH_WORDS = new Set(
  'the a an of and to in is are do does you your we our i my me can what when where how which open close hours appointment insurance take accept need want have has on at for with please thanks thank hello hi saturday sunday monday tuesday wednesday thursday friday today tomorrow'.split(' '),
);

/** The language `text` is clearly written in, or undefined when it is too short or mixed to tell. */
export function clearLanguageOf(text: string): Language | undefined {
  if (/[¿¡ñ]/i.test(text)) return 'es';
  const words = text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().split(/[^a-z]+/).filter(Boolean);
  const spanish = words.filter((word) => SPANISH_WORDS.has(word)).length + (/[áéíóú]/i.test(text) ? 1 : 0);
  const english = words.filter((word) => ENGLISH_WORDS.has(word)).length;
  if (spanish >= 2 && spanish > english) return 'es';
  if (english >= 2 && english > spanish) return 'en';
  return undefined;
}

export function chooseConversationLanguage(current: Language | null, text: string, guess: Language): Language {
  return clearLanguageOf(text) ?? current ?? guess;
}
