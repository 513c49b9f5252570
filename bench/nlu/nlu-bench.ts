/**
 * NLU benchmark: trains the local engine from `intents/`, measures accuracy on the held-out file and parse
 * latency over it (several rounds), next to a bare baseline measured in the same run (normalising the same
 * texts and matching one regular expression), printed as a ratio. Prints figures; asserts nothing.
 *
 *   npx tsx bench/nlu/nlu-bench.ts
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { warmUpEntityRecognizers } from '../../src/nlu/entity-recognizer';
import { evaluateNlu, parseLabelledCsv, type LabelledUtterance } from '../../src/nlu/evaluate';
import { LocalNluEngine } from '../../src/nlu/local-nlu-engine';
import { normalizeText } from '../../src/nlu/text-normalization';
import { loadTrainingData } from '../../src/nlu/training-data';

const ROOT = path.resolve(__dirname, '../..');
const INTENTS_DIR = path.join(ROOT, 'intents');
const HELDOUT_CSV = path.join(ROOT, 'test/fixtures/nlu/heldout.csv');
const ROUNDS = 5;

function percentile(sortedMs: number[], p: number): number {
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index] ?? Number.NaN;
}

/** Runs `call` over every utterance `ROUNDS` times and returns the sorted per-call durations in ms. */
async function timeEach(utterances: LabelledUtterance[], call: (u: LabelledUtterance) => unknown): Promise<number[]> {
  const durations: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const utterance of utterances) {
      const start = performance.now();
      await call(utterance);
      durations.push(performance.now() - start);
    }
  }
  return durations.sort((a, b) => a - b);
}

async function timeMs(action: () => unknown): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

/** Trains, evaluates and times the local engine; returns every figure by name. */
export async function runNluBench(): Promise<Record<string, number>> {
  const csv = await readFile(HELDOUT_CSV, 'utf8');
  const utterances = parseLabelledCsv(csv);
  const engine = new LocalNluEngine({ loadTrainingData: () => loadTrainingData(INTENTS_DIR), warmUpEntities: false });
  const entityWarmUpMs = await timeMs(() => warmUpEntityRecognizers());
  const trainingMs = await timeMs(() => engine.train());
  const report = await evaluateNlu(engine, csv);
  await timeEach(utterances, (u) => engine.parse(u.text, u.lang)); // JIT warm-up, not measured
  const parse = await timeEach(utterances, (u) => engine.parse(u.text, u.lang));
  const classifyOnly = await timeEach(utterances, (u) => engine.analyze(u.text, u.lang));
  const baseline = await timeEach(utterances, (u) => /\b(?:appointment|appt|cita)\b/.test(normalizeText(u.text)));
  const baselineP50 = percentile(baseline, 50);
  const parseP50 = percentile(parse, 50);
  return {
    entityWarmUpMs,
    trainingMs,
    accuracy: report.accuracy,
    accuracyEn: report.byLanguage.en.accuracy,
    accuracyEs: report.byLanguage.es.accuracy,
    outOfScopeRejection: report.outOfScope.rejected / Math.max(1, report.outOfScope.n),
    heldOutLines: utterances.length,
    parseP50Ms: parseP50,
    parseP99Ms: percentile(parse, 99),
    classifyOnlyP50Ms: percentile(classifyOnly, 50),
    classifyOnlyP99Ms: percentile(classifyOnly, 99),
    baselineP50Ms: baselineP50,
    baselineP99Ms: percentile(baseline, 99),
    parseToBaselineP50Ratio: parseP50 / baselineP50,
  };
}

function print(figures: Record<string, number>): void {
  const format = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(4));
  console.log(`NLU benchmark (local NLP.js engine; held-out ${figures.heldOutLines} lines, ${ROUNDS} rounds)`);
  console.log(`  entity recognizer warm-up  ${format(figures.entityWarmUpMs ?? 0)} ms`);
  console.log(`  training                   ${format(figures.trainingMs ?? 0)} ms`);
  console.log(
    `  accuracy en / es / all     ${format(figures.accuracyEn ?? 0)} / ${format(figures.accuracyEs ?? 0)} / ${format(figures.accuracy ?? 0)}`,
  );
  console.log(`  out-of-scope rejection     ${format(figures.outOfScopeRejection ?? 0)}`);
  console.log(
    `  parse p50 / p99            ${format(figures.parseP50Ms ?? 0)} / ${format(figures.parseP99Ms ?? 0)} ms`,
  );
  console.log(
    `  classify only p50 / p99    ${format(figures.classifyOnlyP50Ms ?? 0)} / ${format(figures.classifyOnlyP99Ms ?? 0)} ms`,
  );
  console.log(
    `  baseline p50 / p99         ${format(figures.baselineP50Ms ?? 0)} / ${format(figures.baselineP99Ms ?? 0)} ms (normalise + regex)`,
  );
  console.log(`  parse / baseline (p50)     ${format(figures.parseToBaselineP50Ratio ?? 0)}x`);
}

if (require.main === module) {
  runNluBench().then(print, (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
