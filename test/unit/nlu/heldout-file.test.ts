/** The held-out file must stay a fair test: big enough, covering every intent, and never copied from training. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseLabelledCsv, type LabelledUtterance } from '../../../src/nlu/evaluate';
import { loadTrainingData } from '../../../src/nlu/training-data';

const ROOT = path.resolve(__dirname, '../../..');

/** Case, accents, punctuation and spacing do not make a held-out line different from a training phrase. */
function comparable(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

async function readHeldOut(): Promise<LabelledUtterance[]> {
  return parseLabelledCsv(await readFile(path.join(ROOT, 'test/fixtures/nlu/heldout.csv'), 'utf8'));
}

describe('held-out NLU file', () => {
  it('has at least 260 lines with 5+ per intent and language and 25+ out-of-scope lines per language', async () => {
    const lines = await readHeldOut();
    const data = await loadTrainingData(path.join(ROOT, 'intents'));
    expect(lines.length).toBeGreaterThanOrEqual(260);
    const count = (intent: string, lang: string): number =>
      lines.filter((line) => line.intent === intent && line.lang === lang).length;
    const thin = data.intents
      .filter((intent) => !intent.fallback)
      .flatMap((intent) =>
        (['en', 'es'] as const).map((lang) => ({ intent: intent.name, lang, n: count(intent.name, lang) })),
      )
      .filter(({ n }) => n < 5);
    expect(thin).toEqual([]);
    expect(count('none', 'en')).toBeGreaterThanOrEqual(25);
    expect(count('none', 'es')).toBeGreaterThanOrEqual(25);
  });

  it('only uses intents that exist (or none)', async () => {
    const lines = await readHeldOut();
    const data = await loadTrainingData(path.join(ROOT, 'intents'));
    const known = new Set(['none', ...data.intents.filter((intent) => !intent.fallback).map((intent) => intent.name)]);
    expect(lines.filter((line) => !known.has(line.intent))).toEqual([]);
  });

  it('contains the lines the product promises to understand', async () => {
    const lines = await readHeldOut();
    expect(lines).toContainEqual({ text: 'what time do you open on saturday?', intent: 'faq.hours', lang: 'en' });
    expect(lines).toContainEqual({ text: '¿aceptan Medicaid?', intent: 'faq.insurance', lang: 'es' });
  });

  it('shares no text with the training phrases (ignoring case, accents and punctuation)', async () => {
    const lines = await readHeldOut();
    const data = await loadTrainingData(path.join(ROOT, 'intents'));
    const training = new Set(
      data.intents
        .flatMap((intent) => [...intent.phrases.en, ...intent.phrases.es])
        .map((phrase) => comparable(phrase)),
    );
    expect(lines.filter((line) => training.has(comparable(line.text))).map((line) => line.text)).toEqual([]);
  });
});
