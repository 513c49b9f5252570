/**
 * The NLU feature: the `NluEngine` port, the local NLP.js engine built from `intents/`, the emergency rule
 * that runs before any NLU, and the evaluation used by `concierge nlu eval` and the benchmark.
 */
export { LANGUAGES, NONE_INTENT, isLanguage } from './nlu-engine';
export type { Language, NluEngine, NluEntity, NluResult } from './nlu-engine';
export { loadTrainingData, TrainingDataError } from './training-data';
export type { TrainingData, TrainingIntent } from './training-data';
export {
  createLocalNluEngine,
  decideIntent,
  DEFAULT_CONFIDENCE_THRESHOLD,
  DEFAULT_MIN_KNOWN_SHARE,
  LocalNluEngine,
  NluNotTrainedError,
} from './local-nlu-engine';
export type { LocalNluAnalysis, LocalNluEngineOptions, NoneThresholds } from './local-nlu-engine';
export { guessLanguage } from './language-guess';
export { ENTITY_TYPES, recognizeEntities, warmUpEntityRecognizers } from './entity-recognizer';
export type { DateTimeEntityValue, EntityType } from './entity-recognizer';
export { detectEmergency, emergencyInstructions, EMERGENCY_KINDS } from './emergency-rule';
export type { EmergencyKind, EmergencyMatch } from './emergency-rule';
export { evaluateNlu, parseCsv, parseLabelledCsv, EvalFileError } from './evaluate';
export type { EvalReport, LabelledUtterance } from './evaluate';
