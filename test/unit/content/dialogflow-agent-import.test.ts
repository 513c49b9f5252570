/**
 * Reading a Dialogflow ES agent zip back into intents/: our own export comes back as the same files and the same zip
 * bytes; a Dialogflow-made agent (annotated phrases, regional languages, entities, a top folder) comes back with
 * what the local NLU uses and a report of the rest; a file that is not an agent zip is refused by name.
 */
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { type ContentBundle, canonicalBundle } from '../../../src/content/content-bundle';
import { dialogflowAgentZip, zipAgentFiles } from '../../../src/content/dialogflow-agent';
import { MAX_AGENT_UNZIPPED_BYTES, importDialogflowAgent } from '../../../src/content/dialogflow-agent-import';
import { ValidationError } from '../../../src/errors';
import { loadTrainingData, parseTrainingData } from '../../../src/nlu/training-data';

const INTENTS_DIR = path.resolve(__dirname, '../../../intents');

/** The repository's training phrases as published content; only the practice name and time zone reach the agent. */
async function repositoryBundle(): Promise<ContentBundle> {
  return canonicalBundle({
    practice: { name: 'Test Practice', details: {} },
    locations: [{ id: 'main', name: 'Main Office', timeZone: 'America/New_York', details: {} }],
    faq: [],
    flows: [],
    training: (await loadTrainingData(INTENTS_DIR)).intents,
  } as unknown as ContentBundle);
}

const json = (value: unknown) => strToU8(JSON.stringify(value, null, 2));

function intentFile(name: string, extra: object = {}): Uint8Array {
  return json({ id: `${name}-id`, name, auto: true, contexts: [], responses: [], fallbackIntent: false, ...extra });
}

function phraseFile(lang: string, ...phrases: Array<Array<{ text: string; meta?: string; alias?: string }>>) {
  return json(phrases.map((data, index) => ({ id: `${lang}-${index}`, data, isTemplate: false, count: 0, lang })));
}

/** An agent as Dialogflow exports it, zipped as its folder. */
function dialogflowMadeZip(): Uint8Array {
  const agent = 'clinic-agent';
  return zipSync({
    [`${agent}/agent.json`]: json({ displayName: 'Clinic', language: 'en', supportedLanguages: ['es-419', 'fr'] }),
    [`${agent}/package.json`]: json({ version: '1.0.0' }),
    [`${agent}/intents/book.json`]: intentFile('book', {
      contexts: ['booking'],
      responses: [{ parameters: [{ name: 'date', dataType: '@sys.date' }], messages: [{ type: 0, speech: 'Booked' }] }],
    }),
    [`${agent}/intents/book_usersays_en.json`]: phraseFile('en', [
      { text: 'book for ' },
      { text: 'tuesday', meta: '@sys.date', alias: 'date' },
    ]),
    [`${agent}/intents/book_usersays_es-419.json`]: phraseFile('es-419', [
      { text: 'reservar para el ' },
      { text: 'martes', meta: '@sys.date', alias: 'date' },
    ]),
    [`${agent}/intents/book_usersays_fr.json`]: phraseFile('fr', [{ text: 'réserver' }]),
    [`${agent}/intents/greeting.json`]: intentFile('greeting'),
    [`${agent}/intents/greeting_usersays_es.json`]: phraseFile('es', [{ text: 'hola' }]),
    [`${agent}/intents/greeting_usersays_es-419.json`]: phraseFile('es-419', [{ text: 'qué onda' }]),
    [`${agent}/entities/weekday.json`]: json({ name: 'weekday' }),
    [`${agent}/entities/weekday_entries_en.json`]: json([{ value: 'tuesday', synonyms: ['tue'] }]),
  });
}

describe('an agent zip made by `flows export-dialogflow`', () => {
  it('imports to the files it holds, byte for byte, and zips again to the same bytes', async () => {
    const zip = dialogflowAgentZip(await repositoryBundle());
    const imported = importDialogflowAgent(zip, 'agent.zip');

    const entries = Object.entries(unzipSync(zip)).map(([name, bytes]) => [name, strFromU8(bytes)]);
    expect([...imported.files]).toEqual(entries);
    expect(Buffer.from(zipAgentFiles(imported.files)).equals(Buffer.from(zip))).toBe(true);
    expect(imported.skipped).toEqual([]);
  });

  it('counts the intents and phrases it read', async () => {
    const repository = await loadTrainingData(INTENTS_DIR);
    const imported = importDialogflowAgent(dialogflowAgentZip(await repositoryBundle()), 'agent.zip');
    const count = (lang: 'en' | 'es') =>
      repository.intents.reduce((sum, intent) => sum + intent.phrases[lang].length, 0);
    expect(imported).toMatchObject({
      intents: repository.intents.length,
      phrases: { en: count('en'), es: count('es') },
    });
  });
});

describe('an agent made by Dialogflow', () => {
  const imported = importDialogflowAgent(dialogflowMadeZip(), 'agent.zip');
  const training = parseTrainingData(imported.files, (file) => file);

  it('joins annotated phrase parts and folds regional Spanish into es', () => {
    expect(training.intents).toEqual([
      { name: 'book', fallback: false, phrases: { en: ['book for tuesday'], es: ['reservar para el martes'] } },
      { name: 'greeting', fallback: false, phrases: { en: [], es: ['hola', 'qué onda'] } },
    ]);
    expect(imported).toMatchObject({ intents: 2, phrases: { en: 1, es: 3 } });
  });

  it('keeps its own agent.json, written as canonical JSON', () => {
    const agent = { displayName: 'Clinic', language: 'en', supportedLanguages: ['es-419', 'fr'] };
    expect(imported.files.get('agent.json')).toBe(`${JSON.stringify(agent, null, 2)}\n`);
  });

  it('reports what it does not carry over: entities, other languages, contexts, parameters and responses', () => {
    expect(imported.skipped.sort()).toEqual([
      'entities/ (2 files)',
      'intents/book.json: contexts, parameters, responses',
      'language fr (1 file)',
    ]);
  });
});

describe('a file that is not an agent zip', () => {
  it('is refused when it is not a zip', () => {
    const refusal = () => importDialogflowAgent(strToU8('just some notes'), 'notes.txt');
    expect(refusal).toThrow(ValidationError);
    expect(refusal).toThrow('notes.txt: not a readable zip file');
  });

  it('is refused without agent.json', () => {
    const message = 'agent.zip: no agent.json at its root or in a single top folder';
    const withoutAgent = zipSync({ 'intents/greeting.json': intentFile('greeting') });
    expect(() => importDialogflowAgent(withoutAgent, 'agent.zip')).toThrow(message);
    const twoAgents = zipSync({ 'a/agent.json': json({ language: 'en' }), 'b/agent.json': json({ language: 'en' }) });
    expect(() => importDialogflowAgent(twoAgents, 'agent.zip')).toThrow(message);
  });

  it('is refused when it unzips to more than the cap', () => {
    const zip = zipSync({
      'agent.json': json({ language: 'en' }),
      'huge.bin': new Uint8Array(MAX_AGENT_UNZIPPED_BYTES),
    });
    expect(() => importDialogflowAgent(zip, 'agent.zip')).toThrow('agent.zip: larger than 50 MB unzipped');
  });

  it('names the file in the zip that the training data reader rejects', () => {
    const zip = zipSync({
      'agent/agent.json': json({ language: 'en' }),
      'agent/intents/greeting.json': intentFile('greeting'),
      'agent/intents/greeting_usersays_es-419.json': json([{ data: [{ txt: 'hola' }] }]),
    });
    expect(() => importDialogflowAgent(zip, 'agent.zip')).toThrow(
      /^agent\.zip: agent\/intents\/greeting_usersays_es-419\.json: 0\.data\.0\.text/,
    );
  });
});
