/**
 * Out-of-vocabulary rejection. NLP.js scores a message by the few words it knows, so "my printer keeps
 * jamming" can land confidently on an intent through "my" and "keep" alone. This gate looks at the content
 * words of a message (function words removed, then stemmed like NLP.js does) and measures how many of them
 * occur in the in-scope training phrases; a message made mostly of unknown words is out of scope.
 */
import { LANGUAGES, type Language } from './nlu-engine';
import type { TrainingData } from './training-data';

/** The classifier's own text processing (NLP.js tokenizer with normalisation, and stemmer) for one language. */
export interface TextAnalyzer {
  tokenize(text: string, lang: Language): string[];
  stem(words: string[], lang: Language): string[];
}

const FUNCTION_WORDS: Record<Language, ReadonlySet<string>> = {
  en: new Set(
    `a an the i i'm im i'd i'll i've me my mine myself we us our you your u ur he him his she her it its they them their
    this that these those there here is are was were be been being am do does did doing have has had having can could
    will would shall should may might must to of in on at by for with about from into over under up down out off as
    and or but if so than then too very just also not ca wo no yes what what's whats when where which who whom why how
    some any all much many more most other another such only own same again still now get got please pls ok okay`.split(
      /\s+/,
    ),
  ),
  es: new Set(
    `a al ante bajo con contra de del desde durante en entre hacia hasta para por segun sin sobre tras el la los las lo
    un una unos unas y e o u ni que quien quienes cual cuales cuanto cuanta cuantos cuantas como cuando donde porque pero
    mas muy ya tambien no si me mi mis te ti tu tus su sus se le les nos nuestro nuestra yo ella ellos ellas usted ustedes
    este esta estos estas ese esa eso esto aquel aqui ahi alli es son soy eres somos fue era ser estar estoy esta estan
    estamos hay he ha han hemos tengo tiene tienen tienes tenemos puedo puede pueden puedes podemos quiero quiere quieren
    quisiera necesito necesita voy va vamos van hacer hago hace otro otra otros poco mucho muchos todo toda todos favor
    porfa ok bueno pues entonces algo alguien`.split(/\s+/),
  ),
};

export class InScopeVocabulary {
  private constructor(
    private readonly analyzer: TextAnalyzer,
    private readonly known: Record<Language, ReadonlySet<string>>,
  ) {}

  /** Collects the content stems of every phrase of every in-scope (non-fallback) intent. */
  static build(data: TrainingData, analyzer: TextAnalyzer): InScopeVocabulary {
    const known = { en: new Set<string>(), es: new Set<string>() };
    for (const intent of data.intents.filter((candidate) => !candidate.fallback)) {
      for (const lang of LANGUAGES) {
        for (const phrase of intent.phrases[lang]) {
          for (const stem of contentStems(phrase, lang, analyzer)) known[lang].add(stem);
        }
      }
    }
    return new InScopeVocabulary(analyzer, known);
  }

  /** Share (0–1) of the message's content words seen in scope; `undefined` when it has no content word. */
  knownShare(text: string, lang: Language): number | undefined {
    const stems = contentStems(text, lang, this.analyzer);
    if (stems.length === 0) return undefined;
    return stems.filter((stem) => this.known[lang].has(stem)).length / stems.length;
  }
}

function contentStems(text: string, lang: Language, analyzer: TextAnalyzer): string[] {
  const words = analyzer.tokenize(text, lang).filter((word) => !FUNCTION_WORDS[lang].has(word) && !/\d/.test(word));
  return analyzer.stem(words, lang);
}
