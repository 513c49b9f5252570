/**
 * `concierge nlu import-dialogflow`, run as a user runs it (the CLI in a child process): the zip `flows
 * export-dialogflow` writes for the demo practice imports into a folder as exactly the files it holds, which read back
 * as the repository's training phrases; the import replaces the agent's files and leaves the rest of the folder alone.
 * The import itself runs with no database configured.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { type TrainingData, loadTrainingData } from '../../../src/nlu/training-data';
import { INTENTS_DIR } from '../../../src/project-paths';
import { type CliResult, runCli } from '../../support/run-cli';
import { type TestEnvironment, createTestEnvironment } from '../../support/test-config';

let environment: TestEnvironment;
let work: string;
let zip: string;

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'import-dialogflow-'));
  zip = path.join(work, 'agent.zip');
  expect((await runCli(environment.env, 'seed-demo')).stdout).toContain('demo practice seeded');
  succeeded(await runCli(environment.env, 'flows', 'export-dialogflow', zip));
}, 120_000);

afterAll(async () => {
  await environment?.cleanup();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

function succeeded(result: CliResult): unknown {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

const phraseCount = (data: TrainingData, lang: 'en' | 'es') =>
  data.intents.reduce((sum, intent) => sum + intent.phrases[lang].length, 0);

test("the exported zip imports as the files it holds, and they read back as the repository's phrases", async () => {
  const out = path.join(work, 'imported');
  const summary = succeeded(await runCli({}, 'nlu', 'import-dialogflow', zip, '--out', out));

  const repository = await loadTrainingData(INTENTS_DIR);
  expect(summary).toEqual({
    dir: out,
    intents: repository.intents.length,
    phrases: { en: phraseCount(repository, 'en'), es: phraseCount(repository, 'es') },
    skipped: [],
  });
  expect(await loadTrainingData(out)).toEqual(repository);

  const entries = unzipSync(await fs.readFile(zip));
  const written = await fs.readdir(out, { recursive: true, withFileTypes: true });
  const files = written.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  expect(files.map((file) => path.relative(out, file)).sort()).toEqual(Object.keys(entries).sort());
  for (const [name, bytes] of Object.entries(entries)) {
    const same = Buffer.from(bytes).equals(await fs.readFile(path.join(out, name)));
    expect({ name, same }).toEqual({ name, same: true });
  }
}, 60_000);

test("the repository's intents/ is what the demo practice exports: importing that zip leaves it unchanged", async () => {
  for (const [name, bytes] of Object.entries(unzipSync(await fs.readFile(zip)))) {
    const same = Buffer.from(bytes).equals(await fs.readFile(path.join(INTENTS_DIR, name)));
    expect({ name, same }).toEqual({ name, same: true });
  }
});

test('an import replaces agent.json, package.json and intents/ and leaves the rest of the folder alone', async () => {
  const out = path.join(work, 'practice');
  await fs.mkdir(path.join(out, 'intents'), { recursive: true });
  await fs.writeFile(path.join(out, 'intents', 'retired.json'), '{}');
  await fs.writeFile(path.join(out, 'agent.json'), '{}');
  await fs.writeFile(path.join(out, 'notes.txt'), 'kept');

  succeeded(await runCli({}, 'nlu', 'import-dialogflow', zip, '--out', out));
  await expect(fs.access(path.join(out, 'intents', 'retired.json'))).rejects.toThrow();
  expect(await fs.readFile(path.join(out, 'notes.txt'), 'utf8')).toBe('kept');
  expect(JSON.parse(await fs.readFile(path.join(out, 'agent.json'), 'utf8'))).toMatchObject({ language: 'en' });
}, 60_000);

test('a file that is not a zip is refused by name, and the folder is left as it was', async () => {
  const notZip = path.join(work, 'notes.zip');
  await fs.writeFile(notZip, 'not a zip');
  const out = path.join(work, 'untouched');
  await fs.mkdir(path.join(out, 'intents'), { recursive: true });
  await fs.writeFile(path.join(out, 'intents', 'kept.json'), '{}');

  const result = await runCli({}, 'nlu', 'import-dialogflow', notZip, '--out', out);
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(`${notZip}: not a readable zip file\n`);
  expect(await fs.readdir(path.join(out, 'intents'))).toEqual(['kept.json']);
}, 60_000);
