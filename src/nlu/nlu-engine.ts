/**
 * The NLU port: what the conversation pipeline asks of any engine (local NLP.js, Dialogflow ES).
 * Engines classify one message into an intent of `intents/` (or `none`) and extract entities.
 */

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The intent an engine returns for out-of-scope input (fallback intent, or confidence below its threshold). */
export const NONE_INTENT = 'none';

/** Returns true when `value` is one of the supported languages. */
export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** An entity found in the text; `start` is inclusive and `end` exclusive (`text === input.slice(start, end)`). */
export interface NluEntity {
  type: string;
  text: string;
  value: unknown;
  start: number;
  end: number;
}

export interface NluResult {
  /** An intent name from `intents/`, or `none`. */
  intent: string;
  /** How sure the engine is of `intent`, from 0 to 1. */
  confidence: number;
  entities: NluEntity[];
  lang: Language;
  /** What the engine asks to get back with the conversation's next message (see {@link NluSession.carried}). */
  carry?: NluCarry;
}

/**
 * Engine state kept between a conversation's turns (Dialogflow's active contexts). It is stored in the
 * conversation's memory, an unencrypted column: plain JSON that never holds the patient's words or other PHI.
 */
export type NluCarry = Readonly<Record<string, unknown>>;

/** The conversation a message belongs to, for engines that keep a session (Dialogflow). */
export interface NluSession {
  /** The conversation's id: an engine's session is derived from it, never from a phone number or address. */
  readonly conversationId: string;
  /** The `carry` of the conversation's previous result, if any. */
  readonly carried?: NluCarry;
}

export interface NluEngine {
  readonly name: string;
  /** Builds the model; must be called (and awaited) before `parse`. */
  train(): Promise<void>;
  /** Classifies one message; when `lang` is omitted the engine guesses it. */
  parse(text: string, lang?: Language, session?: NluSession): Promise<NluResult>;
  /** Releases connections and timers, if the engine holds any. */
  close?(): Promise<void>;
}
