import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DateTimeEntityValue } from '../../../src/nlu/entity-recognizer';
import { evaluateNlu, type EvalReport } from '../../../src/nlu/evaluate';
import { createLocalNluEngine, LocalNluEngine, NluNotTrainedError } from '../../../src/nlu/local-nlu-engine';
import type { NluEntity } from '../../../src/nlu/nlu-engine';
import { loadTrainingData } from '../../../src/nlu/training-data';

const ROOT = path.resolve(__dirname, '../../..');
/** Wednesday 5 March 2025, 10:00 local time: "next tuesday" is 11 March. */
const NOW = new Date(2025, 2, 5, 10, 0, 0);

describe('LocalNluEngine trained on intents/', () => {
  let engine: LocalNluEngine;
  let report: EvalReport;

  beforeAll(async () => {
    engine = new LocalNluEngine({
      loadTrainingData: () => loadTrainingData(path.join(ROOT, 'intents')),
      now: () => NOW,
    });
    await engine.train();
    report = await evaluateNlu(engine, await readFile(path.join(ROOT, 'test/fixtures/nlu/heldout.csv'), 'utf8'));
  }, 120_000);

  it('reaches 0.90 accuracy on the held-out file in each language', () => {
    expect(report.byLanguage.en.n).toBeGreaterThan(100);
    expect(report.byLanguage.es.n).toBeGreaterThan(100);
    expect(report.byLanguage.en.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.byLanguage.es.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('rejects at least 80% of the out-of-scope held-out lines', () => {
    expect(report.outOfScope.n).toBeGreaterThanOrEqual(50);
    expect(report.outOfScope.rejected / report.outOfScope.n).toBeGreaterThanOrEqual(0.8);
  });

  it.each([
    ['what time do you open on saturday?', 'en', 'faq.hours'],
    ['¿aceptan Medicaid?', 'es', 'faq.insurance'],
    ['I need to cancel my appt for friday', 'en', 'appointment.cancel'],
    ['quiero reprogramar mi cita', 'es', 'appointment.reschedule'],
  ] as const)('understands %p', async (text, lang, intent) => {
    const result = await engine.parse(text, lang);
    expect(result).toMatchObject({ intent, lang });
    expect(result.confidence).toBeGreaterThan(0.4);
  });

  it.each([
    ['what is the capital of australia', 'en'],
    ['my laptop screen is cracked', 'en'],
    ['cuál es la mejor pizzería del centro', 'es'],
    ['quién ganó la carrera de fórmula uno', 'es'],
  ] as const)('answers none for out-of-scope %p', async (text, lang) => {
    expect((await engine.parse(text, lang)).intent).toBe('none');
  });

  it('answers none for an empty message', async () => {
    expect(await engine.parse('   ', 'en')).toMatchObject({ intent: 'none', entities: [] });
  });

  it('guesses the language when none is given', async () => {
    expect(await engine.parse('necesito una cita con el doctor')).toMatchObject({
      lang: 'es',
      intent: 'appointment.book',
    });
    expect(await engine.parse('I need an appointment with the doctor')).toMatchObject({
      lang: 'en',
      intent: 'appointment.book',
    });
  });

  it('finds the date and time in "next tuesday at 4"', async () => {
    const result = await engine.parse('can I come in next tuesday at 4', 'en');
    const dateTime = result.entities.find((entity) => entity.type === 'datetime');
    expect(dateTime).toMatchObject({ text: 'next tuesday at 4', start: 14, end: 31 });
    expect(resolvedValues(dateTime)).toContain('2025-03-11 16:00:00');
  });

  it('finds the date and time in Spanish "el próximo martes a las 3 de la tarde"', async () => {
    const text = 'quiero una cita el próximo martes a las 3 de la tarde';
    const result = await engine.parse(text, 'es');
    const dateTime = result.entities.find((entity) => entity.type === 'datetime');
    expect(dateTime).toBeDefined();
    expect(text.slice(dateTime?.start, dateTime?.end)).toBe(dateTime?.text);
    expect(dateTime?.text).toContain('martes a las 3 de la tarde');
    expect(resolvedValues(dateTime)).toEqual(['2025-03-11 15:00:00']);
  });

  it('finds phone numbers and emails, and does not repeat their digits as numbers', async () => {
    const result = await engine.parse('call me at 555-201-7788 or write to pat@example.com', 'en');
    expect(result.entities.map(({ type, text }) => ({ type, text }))).toEqual([
      { type: 'phone_number', text: '555-201-7788' },
      { type: 'email', text: 'pat@example.com' },
    ]);
  });

  it('finds a plain number', async () => {
    const result = await engine.parse('option 2 please', 'en');
    expect(result.entities).toEqual([{ type: 'number', text: '2', value: 2, start: 7, end: 8 }]);
  });
});

describe('LocalNluEngine lifecycle', () => {
  it('refuses to parse before training', async () => {
    const engine = createLocalNluEngine(path.join(ROOT, 'intents'));
    await expect(engine.parse('hello', 'en')).rejects.toBeInstanceOf(NluNotTrainedError);
  });
});

function resolvedValues(entity: NluEntity | undefined): string[] {
  const value = entity?.value as DateTimeEntityValue | undefined;
  return (value?.resolutions ?? []).map((resolution) => resolution.value ?? '');
}
