/**
 * Chooses the local engine's settings without looking at the held-out file: 5-fold cross-validation over the
 * training phrases of `intents/` (fallback phrases count as `none` lines), for a grid of the neural network's
 * training error threshold and of the two `none` thresholds. Each fold trains once per training error
 * threshold; every pair of `none` thresholds is then applied to the same analyses.
 *
 *   npx tsx bench/nlu/nlu-tuning.ts
 */
import path from 'node:path';
import { decideIntent, LocalNluEngine, type LocalNluAnalysis } from '../../src/nlu/local-nlu-engine';
import { LANGUAGES, NONE_INTENT, type Language } from '../../src/nlu/nlu-engine';
import { loadTrainingData, type TrainingData } from '../../src/nlu/training-data';

const FOLDS = 5;
const TRAINING_ERROR_THRESHOLDS = [0.00005, 0.0005, 0.001, 0.002];
const CONFIDENCE_THRESHOLDS = [0.3, 0.4, 0.5, 0.6];
const MIN_KNOWN_SHARES = [0, 0.5, 0.6];

interface Line {
  text: string;
  intent: string;
  lang: Language;
  fold: number;
}

interface AnalysedLine extends Line {
  analysis: LocalNluAnalysis;
}

export interface TuningRow {
  trainingErrorThreshold: number;
  confidenceThreshold: number;
  minKnownShare: number;
  accuracyEn: number;
  accuracyEs: number;
  outOfScopeRejection: number;
}

/** Every training phrase as a labelled line, dealt round-robin into folds. */
function linesOf(data: TrainingData): Line[] {
  const lines: Line[] = [];
  for (const intent of data.intents) {
    for (const lang of LANGUAGES) {
      for (const text of intent.phrases[lang]) {
        lines.push({ text, intent: intent.fallback ? NONE_INTENT : intent.name, lang, fold: lines.length % FOLDS });
      }
    }
  }
  return lines;
}

function withoutFold(data: TrainingData, lines: Line[], fold: number): TrainingData {
  const heldOut = new Set(lines.filter((line) => line.fold === fold).map((line) => `${line.lang}:${line.text}`));
  const keep = (lang: Language) => (text: string) => !heldOut.has(`${lang}:${text}`);
  return {
    intents: data.intents.map((intent) => ({
      ...intent,
      phrases: { en: intent.phrases.en.filter(keep('en')), es: intent.phrases.es.filter(keep('es')) },
    })),
  };
}

async function analyseAllFolds(data: TrainingData, trainingErrorThreshold: number): Promise<AnalysedLine[]> {
  const lines = linesOf(data);
  const analysed: AnalysedLine[] = [];
  for (let fold = 0; fold < FOLDS; fold += 1) {
    const foldData = withoutFold(data, lines, fold);
    const engine = new LocalNluEngine({
      loadTrainingData: async () => foldData,
      trainingErrorThreshold,
      warmUpEntities: false,
    });
    await engine.train();
    for (const line of lines.filter((candidate) => candidate.fold === fold)) {
      analysed.push({ ...line, analysis: await engine.analyze(line.text, line.lang) });
    }
  }
  return analysed;
}

function score(
  lines: AnalysedLine[],
  trainingErrorThreshold: number,
  confidenceThreshold: number,
  minKnownShare: number,
): TuningRow {
  const correct = (line: AnalysedLine): boolean =>
    decideIntent(line.analysis, { confidenceThreshold, minKnownShare }).intent === line.intent;
  const accuracy = (lang: Language): number => {
    const ofLang = lines.filter((line) => line.lang === lang);
    return ofLang.filter(correct).length / Math.max(1, ofLang.length);
  };
  const outOfScope = lines.filter((line) => line.intent === NONE_INTENT);
  return {
    trainingErrorThreshold,
    confidenceThreshold,
    minKnownShare,
    accuracyEn: accuracy('en'),
    accuracyEs: accuracy('es'),
    outOfScopeRejection: outOfScope.filter(correct).length / Math.max(1, outOfScope.length),
  };
}

/** Cross-validated accuracy and rejection for every combination of the grid. */
export async function runNluTuning(intentsDir: string): Promise<TuningRow[]> {
  const data = await loadTrainingData(intentsDir);
  const rows: TuningRow[] = [];
  for (const errorThreshold of TRAINING_ERROR_THRESHOLDS) {
    const analysed = await analyseAllFolds(data, errorThreshold);
    for (const confidence of CONFIDENCE_THRESHOLDS) {
      for (const share of MIN_KNOWN_SHARES) rows.push(score(analysed, errorThreshold, confidence, share));
    }
  }
  return rows;
}

if (require.main === module) {
  runNluTuning(path.resolve(__dirname, '../../intents')).then(
    (rows) => {
      console.log(`${FOLDS}-fold cross-validation over the training phrases of intents/`);
      const round = (value: number): number => Number(value.toPrecision(3));
      console.table(
        rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, round(value)]))),
      );
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
