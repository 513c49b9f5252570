/**
 * The default NLU: NLP.js (lean v4 packages, one neural classifier per language) trained in memory from
 * the `intents/` folder at start-up; nothing is cached on disk. A message is `none` when the classifier
 * picks NLP.js's `None` (trained with the fallback intent's phrases), when its top score is below the
 * confidence threshold, or when most of its content words never occur in the in-scope training phrases.
 */
import { containerBootstrap, type NlpjsContainer } from '@nlpjs/core';
import { LangEn } from '@nlpjs/lang-en';
import { LangEs } from '@nlpjs/lang-es';
import { Nlp } from '@nlpjs/nlp';
import { AppError } from '../errors';
import { recognizeEntities, warmUpEntityRecognizers } from './entity-recognizer';
import { InScopeVocabulary, type TextAnalyzer } from './in-scope-vocabulary';
import { guessLanguage } from './language-guess';
import { LANGUAGES, NONE_INTENT, type Language, type NluEngine, type NluResult } from './nlu-engine';
import { loadTrainingData, type TrainingData } from './training-data';

/** NLP.js's own name for "no intent"; the fallback intent's phrases are trained to it. */
const NLPJS_NONE = 'None';

/**
 * Confidence thresholds 0.3–0.4 give the best accuracy in 5-fold cross-validation over the training phrases
 * (`bench/nlu/nlu-tuning.ts`, within 0.002), and 0.4 rejects a little more. The known-share gate raises the
 * rejection of fallback phrases from ~0.38 to ~0.59 at 0.5, with ~2 points more accuracy, and to ~0.77 at 0.6,
 * where a message whose content words are half unknown is rejected too. Cross-validation charges 0.6 ~1.5–2 points
 * of accuracy, as a phrase held out of a fold often brings the only occurrence of its rare words; on check sets
 * written apart from the training phrases (never the held-out file) 0.6 kept accuracy within a line or two per
 * language and rejected a quarter more out-of-scope lines, so 0.6 it is.
 */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.4;
export const DEFAULT_MIN_KNOWN_SHARE = 0.6;

/**
 * The neural network stops training once its error is below this. NLP.js's default (0.00005) over-fits the
 * phrases: at 0.001 cross-validated accuracy is ~3 points higher with a third of the iterations (training takes
 * ~2 s of CPU instead of ~3 s); from 0.002 fewer out-of-scope phrases are rejected (`bench/nlu/nlu-tuning.ts`).
 */
export const DEFAULT_TRAINING_ERROR_THRESHOLD = 0.001;

/**
 * The most passes the neural network makes over the phrases. With ~3,000 phrases per language the error stops
 * falling (NLP.js's delta rule) only after ~160–210 passes, ~9 s of training, so the error threshold above is no
 * longer what ends training: capped at 100 passes training takes ~4.5 s, with the same cross-validated accuracy
 * and ~3 points fewer fallback phrases rejected.
 */
const MAX_TRAINING_ITERATIONS = 100;

export interface LocalNluEngineOptions {
  /** Where the training data comes from (e.g. `() => loadTrainingData(intentsDir)`). */
  loadTrainingData: () => Promise<TrainingData>;
  /** Top classifier score under which the answer is `none`. */
  confidenceThreshold?: number;
  /** Share of known content words under which the answer is `none` (0 turns the gate off). */
  minKnownShare?: number;
  /** Training error at which the NLP.js neural network stops (see {@link DEFAULT_TRAINING_ERROR_THRESHOLD}). */
  trainingErrorThreshold?: number;
  /** Clock used to resolve relative dates ("tomorrow"); defaults to the system clock. */
  now?: () => Date;
  /** Initialise the entity recognizers during `train()` (~2–3 s, once per process) rather than on first use. */
  warmUpEntities?: boolean;
}

export class NluNotTrainedError extends AppError {
  constructor() {
    super('nlu_not_trained', 503, 'the NLU engine has not been trained yet');
  }
}

interface TrainedModel {
  nlp: Nlp;
  vocabulary: InScopeVocabulary;
}

export class LocalNluEngine implements NluEngine {
  readonly name = 'local';
  private model: TrainedModel | undefined;
  private readonly thresholds: NoneThresholds;
  private readonly now: () => Date;

  constructor(private readonly options: LocalNluEngineOptions) {
    this.thresholds = {
      confidenceThreshold: options.confidenceThreshold ?? DEFAULT_CONFIDENCE_THRESHOLD,
      minKnownShare: options.minKnownShare ?? DEFAULT_MIN_KNOWN_SHARE,
    };
    this.now = options.now ?? (() => new Date());
  }

  async train(): Promise<void> {
    const data = await this.options.loadTrainingData();
    const container = createContainer(this.options.trainingErrorThreshold ?? DEFAULT_TRAINING_ERROR_THRESHOLD);
    const nlp = new Nlp({ container, languages: [...LANGUAGES], autoLoad: false, autoSave: false, nlu: NLU_SETTINGS });
    for (const { lang, phrase, label } of trainingDocuments(data)) nlp.addDocument(lang, prepareText(phrase), label);
    await nlp.train();
    if (this.options.warmUpEntities ?? true) warmUpEntityRecognizers();
    this.model = { nlp, vocabulary: InScopeVocabulary.build(data, createAnalyzer(container)) };
  }

  async parse(text: string, lang?: Language): Promise<NluResult> {
    const language = lang ?? guessLanguage(text);
    const analysis = await this.analyze(text, language);
    const { intent, confidence } = decideIntent(analysis, this.thresholds);
    return { intent, confidence, entities: recognizeEntities(text, language, this.now()), lang: language };
  }

  /** The raw evidence behind a decision: the classifier's best intent and score, and the known-word share. */
  async analyze(text: string, lang: Language): Promise<LocalNluAnalysis> {
    if (!this.model) throw new NluNotTrainedError();
    if (text.trim() === '') return { topIntent: NLPJS_NONE, topScore: 1, knownShare: undefined };
    const output = await this.model.nlp.classify(lang, prepareText(text));
    const top = output.classifications[0] ?? { intent: NLPJS_NONE, score: 1 };
    return { topIntent: top.intent, topScore: top.score, knownShare: this.model.vocabulary.knownShare(text, lang) };
  }
}

export interface LocalNluAnalysis {
  /** The classifier's best intent (`None` for NLP.js's out-of-scope class). */
  topIntent: string;
  topScore: number;
  /** Share of content words seen in the in-scope training phrases; `undefined` without content words. */
  knownShare: number | undefined;
}

export interface NoneThresholds {
  confidenceThreshold: number;
  minKnownShare: number;
}

/** Turns an analysis into the answer: `none` for NLP.js's `None`, a low top score or mostly unknown words. */
export function decideIntent(
  analysis: LocalNluAnalysis,
  thresholds: NoneThresholds,
): { intent: string; confidence: number } {
  const { topIntent, topScore, knownShare } = analysis;
  if (topIntent === NLPJS_NONE) return { intent: NONE_INTENT, confidence: topScore };
  if (topScore < thresholds.confidenceThreshold) return { intent: NONE_INTENT, confidence: 1 - topScore };
  if (knownShare !== undefined && knownShare < thresholds.minKnownShare)
    return { intent: NONE_INTENT, confidence: 1 - knownShare };
  return { intent: topIntent, confidence: topScore };
}

/** Builds the local engine for the Dialogflow agent export at `intentsDir` (call `train()` before `parse()`). */
export function createLocalNluEngine(intentsDir: string): NluEngine {
  return new LocalNluEngine({ loadTrainingData: () => loadTrainingData(intentsDir) });
}

const NLU_SETTINGS = { useNoneFeature: true, log: false };

/**
 * NLP.js 4's own `nlu-??` configuration (every classifier reads it), restated so that `errorThresh` can be set:
 * registering the tag replaces the library's defaults instead of merging with them.
 */
const NLPJS_NLU_DEFAULTS = {
  keepStopwords: true,
  nonefeatureValue: 1,
  nonedeltaMultiplier: 1.2,
  spellCheck: false,
  spellCheckDistance: 1,
  filterZeros: true,
  log: false,
};

/** Elongated words ("heyyy", "holaaa", "sooo") become their plain form: no real word repeats a letter 3 times. */
function prepareText(text: string): string {
  return text.replace(/(\p{L})\1{2,}/gu, '$1');
}

function* trainingDocuments(data: TrainingData): Generator<{ lang: Language; phrase: string; label: string }> {
  for (const intent of data.intents) {
    const label = intent.fallback ? NLPJS_NONE : intent.name;
    for (const lang of LANGUAGES) for (const phrase of intent.phrases[lang]) yield { lang, phrase, label };
  }
}

function createContainer(trainingErrorThreshold: number): NlpjsContainer {
  const container = containerBootstrap();
  container.register('logger', silentLogger(), true);
  container.registerConfiguration(
    'nlu-??',
    { ...NLPJS_NLU_DEFAULTS, errorThresh: trainingErrorThreshold, iterations: MAX_TRAINING_ITERATIONS },
    true,
  );
  container.use(LangEn);
  container.use(LangEs);
  return container;
}

function createAnalyzer(container: NlpjsContainer): TextAnalyzer {
  const part = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`NLP.js ${name} is not registered`);
    return value;
  };
  const tokenizers = {
    en: part(container.get('tokenizer-en'), 'tokenizer-en'),
    es: part(container.get('tokenizer-es'), 'tokenizer-es'),
  };
  const stemmers = {
    en: part(container.get('stemmer-en'), 'stemmer-en'),
    es: part(container.get('stemmer-es'), 'stemmer-es'),
  };
  return {
    tokenize: (text, lang) => tokenizers[lang].tokenize(prepareText(text), true),
    stem: (words, lang) => stemmers[lang].stem(words),
  };
}

/** NLP.js writes warnings (e.g. "utterance contains only stop words") to the console; logging is the caller's job. */
function silentLogger(): Record<string, () => void> {
  const ignore = (): void => undefined;
  return { debug: ignore, info: ignore, warn: ignore, error: ignore, log: ignore, trace: ignore, fatal: ignore };
}
