/**
 * The parts of the NLP.js v4 lean packages we use; the packages ship no type declarations.
 */

declare module '@nlpjs/core' {
  export interface NlpjsTokenizer {
    /** Splits `text` into tokens; with `normalize` true, lower-cased and accents stripped first. */
    tokenize(text: string, normalize?: boolean): string[];
  }
  export interface NlpjsStemmer {
    stem(tokens: string[]): string[];
  }
  export interface NlpjsContainer {
    use(plugin: unknown, name?: string, isSingleton?: boolean): string;
    register(name: string, item: unknown, isSingleton?: boolean): void;
    registerConfiguration(tag: string, configuration: Record<string, unknown>, overwrite?: boolean): void;
    get(name: `tokenizer-${string}`): NlpjsTokenizer | undefined;
    get(name: `stemmer-${string}`): NlpjsStemmer | undefined;
  }
  export function containerBootstrap(settings?: Record<string, unknown>): NlpjsContainer;
}

declare module '@nlpjs/nlp' {
  import type { NlpjsContainer } from '@nlpjs/core';

  export interface NlpClassification {
    intent: string;
    score: number;
  }

  export interface NlpClassifyOutput {
    intent: string;
    score: number;
    classifications: NlpClassification[];
  }

  export interface NlpSettings {
    container?: NlpjsContainer;
    languages?: string[];
    autoLoad?: boolean;
    autoSave?: boolean;
    nlu?: Record<string, unknown>;
  }

  export class Nlp {
    constructor(settings?: NlpSettings);
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<unknown>;
    classify(locale: string, utterance: string): Promise<NlpClassifyOutput>;
    guessLanguage(utterance: string): string | undefined;
  }
}

declare module '@nlpjs/lang-en' {
  export const LangEn: new (...args: unknown[]) => unknown;
}

declare module '@nlpjs/lang-es' {
  export const LangEs: new (...args: unknown[]) => unknown;
}
