/**
 * `concierge flows export`, `import` and `export-dialogflow`, run as a user runs them (the CLI in a child process)
 * on PostgreSQL: the published release of the demo practice exported, imported into a fresh database and exported
 * again gives the same files byte for byte; the exported intents/ hold the repository's phrases and the exported
 * flows validate; the Dialogflow zip has agent.json at its root and every intent, and is the same bytes twice; an
 * import with a broken flow names the flow and the step and publishes nothing.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { Redis } from 'ioredis';
import YAML from 'yaml';
import { AuditLog } from '../../../src/audit/audit-log';
import { ContentReleases } from '../../../src/content/content-releases';
import { contentPublishedChannel } from '../../../src/content/content-runtime';
import { snapshotLiveContent } from '../../../src/content/live-content';
import { openDatabase } from '../../../src/db/open-database';
import { prepareDatabase } from '../../../src/db/prepare-database';
import { createActionRegistry } from '../../../src/flows/actions';
import { type TrainingData, loadTrainingData } from '../../../src/nlu/training-data';
import { createLogger } from '../../../src/observability/logger';
import { loadKeyRing } from '../../../src/phi/dev-key-ring';
import { DEMO_PRACTICE_ID } from '../../../src/practice/demo-practice';
import { findDefaultPracticeId, loadPracticeContent } from '../../../src/practice/practice-repository';
import { INTENTS_DIR } from '../../../src/project-paths';
import { type CliResult, runCli } from '../../support/run-cli';
import { type TestEnvironment, TEST_REDIS_URL, createTestEnvironment } from '../../support/test-config';
import { waitFor } from '../../support/wait-for';

let source: TestEnvironment;
let fresh: TestEnvironment;
let work: string;

beforeAll(async () => {
  [source, fresh] = await Promise.all([createTestEnvironment('postgres'), createTestEnvironment('postgres')]);
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'content-files-'));
  await publishDemoContent(source);
}, 60_000);

afterAll(async () => {
  await source?.cleanup();
  await fresh?.cleanup();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

/** The demo practice with its first release, as the product's start-up leaves it. */
async function publishDemoContent(environment: TestEnvironment): Promise<void> {
  const { config } = environment;
  const database = await prepareDatabase(config, createLogger('silent'));
  try {
    const { db } = database;
    const practiceId = (await findDefaultPracticeId(db))!;
    const audit = new AuditLog(loadKeyRing(config.PHI_KEYS, config.dataDir));
    const releases = new ContentReleases({ db, audit, actions: createActionRegistry(), now: () => new Date() });
    const training = await loadTrainingData(INTENTS_DIR);
    await releases.ensurePublished(practiceId, () => snapshotLiveContent(db, practiceId, training));
  } finally {
    await database.close();
  }
}

async function releasesOf(environment: TestEnvironment): Promise<Array<{ version: number | null; status: string }>> {
  const database = await openDatabase(environment.config);
  try {
    return await database.db.selectFrom('content_releases').select(['version', 'status']).orderBy('id').execute();
  } finally {
    await database.close();
  }
}

/** Every file under `dir`, relative path → bytes. */
async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  const contents = await Promise.all(
    files.map(async (file) => [path.relative(dir, file), await fs.readFile(file)] as const),
  );
  return new Map(contents.sort(([a], [b]) => (a < b ? -1 : 1)));
}

function succeeded(result: CliResult): unknown {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

const phrasesByIntent = (data: TrainingData) =>
  Object.fromEntries(data.intents.map((intent) => [intent.name, { fallback: intent.fallback, ...intent.phrases }]));

test('export, import into a fresh database, export again: the two exports are identical', async () => {
  const first = path.join(work, 'A');
  const second = path.join(work, 'B');
  const exported = succeeded(await runCli(source.env, 'flows', 'export', first)) as Record<string, unknown>;
  expect(exported).toEqual({ version: 1, flows: 22, intents: 23, dir: first });

  const migrated = await runCli(fresh.env, 'migrate');
  expect(migrated.code).toBe(0);
  expect(migrated.stdout).toMatch(/^applied: /);
  const subscriber = new Redis(TEST_REDIS_URL);
  const announced: string[] = [];
  subscriber.on('message', (_channel: string, message: string) => announced.push(message));
  await subscriber.subscribe(contentPublishedChannel(fresh.config.QUEUE_PREFIX));
  try {
    const imported = succeeded(await runCli(fresh.env, 'flows', 'import', first)) as {
      version: number;
      changedFlows: string[];
    };
    expect(imported.version).toBe(1);
    expect(imported.changedFlows).toHaveLength(22);
    await waitFor(() => announced.length > 0, 5_000, 'the release announcement');
    expect(announced).toEqual([JSON.stringify({ version: 1 })]);
  } finally {
    subscriber.disconnect();
  }
  succeeded(await runCli(fresh.env, 'flows', 'export', second));
  // The practice the import created reads like any other, its operational settings at their defaults.
  const database = await openDatabase(fresh.config);
  try {
    const practice = await loadPracticeContent(database.db, DEMO_PRACTICE_ID);
    expect(practice.locations.map((location) => location.id)).toEqual([`${DEMO_PRACTICE_ID}:main`]);
    expect(practice.profile.phiPolicy).toEqual({
      webchat: 'after_verification',
      sms: 'consent_and_verification',
      whatsapp: 'never',
      messenger: 'never',
    });
  } finally {
    await database.close();
  }

  const [a, b] = [await filesUnder(first), await filesUnder(second)];
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [file, bytes] of a) expect({ file, same: bytes.equals(b.get(file)!) }).toEqual({ file, same: true });
  expect(a.has('practice.yaml')).toBe(true);
  expect(YAML.parse(a.get('practice.yaml')!.toString()).practice.id).toBe(DEMO_PRACTICE_ID);

  // Exporting again over an export replaces it, leaving nothing stale behind.
  await fs.writeFile(path.join(second, 'flows', 'retired-flow.yaml'), 'id: retired-flow\n');
  succeeded(await runCli(fresh.env, 'flows', 'export', second));
  expect([...(await filesUnder(second)).keys()]).toEqual([...a.keys()]);
}, 120_000);

test("the exported intents/ hold the repository's phrases and the exported flows validate", async () => {
  const dir = path.join(work, 'checked');
  succeeded(await runCli(source.env, 'flows', 'export', dir));
  const exported = await loadTrainingData(path.join(dir, 'intents'));
  expect(phrasesByIntent(exported)).toEqual(phrasesByIntent(await loadTrainingData(INTENTS_DIR)));
  const agent = JSON.parse(await fs.readFile(path.join(dir, 'intents', 'agent.json'), 'utf8'));
  expect(agent).toMatchObject({ language: 'en', supportedLanguages: ['es'] });

  const validated = await runCli(source.env, 'flows', 'validate', path.join(dir, 'flows'));
  expect(validated.stderr).toBe('');
  expect(validated.stdout).toContain('22 flows are valid');
}, 60_000);

test('export-dialogflow writes a zip with agent.json at its root and every intent, the same bytes each time', async () => {
  const [first, second] = [path.join(work, 'agent-1.zip'), path.join(work, 'agent-2.zip')];
  expect(succeeded(await runCli(source.env, 'flows', 'export-dialogflow', first))).toEqual({
    file: first,
    intents: 23,
  });
  succeeded(await runCli(source.env, 'flows', 'export-dialogflow', second));
  const bytes = await fs.readFile(first);
  expect(bytes.equals(await fs.readFile(second))).toBe(true);

  const entries = unzipSync(bytes);
  expect(JSON.parse(Buffer.from(entries['agent.json']!).toString())).toMatchObject({
    language: 'en',
    supportedLanguages: ['es'],
  });
  const repository = await loadTrainingData(INTENTS_DIR);
  for (const intent of repository.intents) {
    for (const suffix of ['', '_usersays_en', '_usersays_es']) {
      expect(Object.keys(entries)).toContain(`intents/${intent.name}${suffix}.json`);
    }
  }

  // Unpacked, it is an agent export the product itself reads back to the same phrases.
  const unpacked = path.join(work, 'agent-unpacked');
  for (const [name, data] of Object.entries(entries)) {
    await fs.mkdir(path.dirname(path.join(unpacked, name)), { recursive: true });
    await fs.writeFile(path.join(unpacked, name), data);
  }
  expect(phrasesByIntent(await loadTrainingData(unpacked))).toEqual(phrasesByIntent(repository));
}, 60_000);

/** An export of the source whose hours flow goes from its first step to a step that does not exist. */
async function writeBrokenExport(dir: string): Promise<void> {
  succeeded(await runCli(source.env, 'flows', 'export', dir));
  const file = path.join(dir, 'flows', 'faq-hours.yaml');
  const flow = YAML.parse(await fs.readFile(file, 'utf8')) as { steps: Array<Record<string, unknown>> };
  flow.steps[0]!.next = 'nowhere';
  await fs.writeFile(file, YAML.stringify(flow));
}

test('an import whose flow goes to a missing step fails naming the flow and step, and publishes nothing', async () => {
  const dir = path.join(work, 'broken');
  await writeBrokenExport(dir);
  const before = await releasesOf(source);

  const result = await runCli(source.env, 'flows', 'import', dir);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain("Flow 'faq-hours': step 'look-up' goes to 'nowhere', which does not exist");
  expect(await releasesOf(source)).toEqual(before);
  expect(before.filter((release) => release.status === 'published')).toEqual([{ version: 1, status: 'published' }]);
}, 60_000);

test('a broken import into an empty database creates no practice', async () => {
  const dir = path.join(work, 'broken-for-empty');
  await writeBrokenExport(dir);
  const empty = await createTestEnvironment('postgres');
  try {
    const result = await runCli(empty.env, 'flows', 'import', dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("step 'look-up' goes to 'nowhere', which does not exist");
    const database = await openDatabase(empty.config);
    try {
      expect(await database.db.selectFrom('practices').select('id').execute()).toEqual([]);
    } finally {
      await database.close();
    }
  } finally {
    await empty.cleanup();
  }
}, 60_000);

test('a file that is not valid is named in the error', async () => {
  const dir = path.join(work, 'unreadable');
  succeeded(await runCli(source.env, 'flows', 'export', dir));
  await fs.writeFile(
    path.join(dir, 'flows', 'greeting.yaml'),
    'id: greeting\ntriggers: {intents: [greeting]}\nsteps: []\n',
  );
  const result = await runCli(source.env, 'flows', 'import', dir);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain(path.join(dir, 'flows', 'greeting.yaml'));
}, 60_000);
