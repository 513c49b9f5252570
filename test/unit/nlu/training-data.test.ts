import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadTrainingData, TrainingDataError } from '../../../src/nlu/training-data';
import { removeAgentExports, writeAgentExport, writeJson } from './agent-fixture';

afterAll(removeAgentExports);

const INTENTS_DIR = path.resolve(__dirname, '../../../intents');

const EXPECTED_INTENTS = [
  'greeting',
  'goodbye',
  'thanks',
  'help',
  'appointment.book',
  'appointment.reschedule',
  'appointment.cancel',
  'appointment.confirm',
  'appointment.list',
  'faq.hours',
  'faq.location',
  'faq.parking',
  'faq.insurance',
  'faq.billing',
  'faq.contact',
  'faq.services',
  'faq.new_patient',
  'prescription.refill',
  'results.inquiry',
  'records.request',
  'human.handoff',
  'optout',
  'Default Fallback Intent',
];

describe('training data of intents/', () => {
  it('loads every intent of the agent export, with the fallback intent marked', async () => {
    const data = await loadTrainingData(INTENTS_DIR);
    expect(data.intents.map((intent) => intent.name).sort()).toEqual([...EXPECTED_INTENTS].sort());
    const fallbacks = data.intents.filter((intent) => intent.fallback).map((intent) => intent.name);
    expect(fallbacks).toEqual(['Default Fallback Intent']);
  });

  it('has at least 25 distinct phrases per intent and per language', async () => {
    const data = await loadTrainingData(INTENTS_DIR);
    const tooFew = data.intents.flatMap((intent) =>
      (['en', 'es'] as const)
        .map((lang) => ({
          intent: intent.name,
          lang,
          count: new Set(intent.phrases[lang].map((p) => p.toLowerCase())).size,
        }))
        .filter(({ count }) => count < 25),
    );
    expect(tooFew).toEqual([]);
  });

  it('keeps the agent metadata Dialogflow needs to import the export', async () => {
    const agent: unknown = JSON.parse(await readFile(path.join(INTENTS_DIR, 'agent.json'), 'utf8'));
    expect(agent).toMatchObject({ language: 'en', supportedLanguages: ['es'], defaultTimezone: 'America/New_York' });
  });
});

describe('loadTrainingData on bad input', () => {
  it('names the file holding invalid JSON', async () => {
    const dir = await writeAgentExport([{ name: 'greeting', en: ['hi'] }]);
    await writeFile(path.join(dir, 'intents', 'greeting_usersays_en.json'), '[{"data": [ }');
    await expect(loadTrainingData(dir)).rejects.toThrow(/greeting_usersays_en\.json: invalid JSON/);
  });

  it('names the file and the field that fails validation', async () => {
    const dir = await writeAgentExport([{ name: 'greeting', en: ['hi'] }]);
    await writeJson(path.join(dir, 'intents', 'greeting_usersays_en.json'), [{ data: [{ txt: 'hi' }] }]);
    const error = await loadTrainingData(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TrainingDataError);
    expect((error as Error).message).toMatch(/greeting_usersays_en\.json: 0\.data\.0\.text/);
  });

  it('rejects a phrase file whose entries are in another language', async () => {
    const dir = await writeAgentExport([{ name: 'greeting', en: ['hi'] }]);
    await writeJson(path.join(dir, 'intents', 'greeting_usersays_en.json'), [{ data: [{ text: 'hola' }], lang: 'es' }]);
    await expect(loadTrainingData(dir)).rejects.toThrow(/greeting_usersays_en\.json: \[0\]\.lang is "es"/);
  });

  it('fails with a readable message when agent.json is missing', async () => {
    await expect(loadTrainingData(path.join(INTENTS_DIR, 'does-not-exist'))).rejects.toThrow(
      /agent\.json: cannot be read/,
    );
  });

  it('joins the parts of an annotated Dialogflow phrase into one text', async () => {
    const dir = await writeAgentExport([{ name: 'appointment.book', en: ['placeholder'] }]);
    await writeJson(path.join(dir, 'intents', 'appointment.book_usersays_en.json'), [
      { data: [{ text: 'book me on ' }, { text: 'monday', alias: 'date', meta: '@sys.date' }], lang: 'en' },
    ]);
    const data = await loadTrainingData(dir);
    expect(data.intents[0]?.phrases).toEqual({ en: ['book me on monday'], es: [] });
  });
});
