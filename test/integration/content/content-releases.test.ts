/**
 * Drafts, publishing, version pinning and rollback against the whole product on PostgreSQL: a manager's draft
 * changes nothing live until published; a publish changes what the web chat answers at once and what
 * `concierge nlu parse` returns; a conversation inside a flow finishes on the version it started; a draft whose
 * step points at a missing step cannot be published, and the message names it; a rollback restores the answer;
 * the edit lock keeps a second manager out; every publish and rollback is audited.
 */
import { type App, createApp } from '../../../src/app';
import type { ContentBundle } from '../../../src/content/content-bundle';
import type { FlowStep } from '../../../src/flows/flow-schema';
import {
  DraftLockedError,
  EDIT_LOCK_MS,
  type Editor,
  PublishProblemsError,
} from '../../../src/content/content-releases';
import { PreviewSandbox } from '../../../src/content/preview-sandbox';
import { createActionRegistry } from '../../../src/flows/actions';
import { StaffAccounts } from '../../../src/inbox/staff-accounts';
import { loadPracticeContent } from '../../../src/practice/practice-repository';
import { Redis } from 'ioredis';
import { contentPublishedChannel } from '../../../src/content/content-runtime';
import { runCli } from '../../support/run-cli';
import { waitFor } from '../../support/wait-for';
import { addEnglishPhrase } from './content-edits';
import { type TestEnvironment, createTestEnvironment } from '../../support/test-config';
import { WebchatTestClient } from '../../support/webchat-client';

let shiftMs = 0;
let environment: TestEnvironment;
let app: App;
let url: string;
let manager: Editor;
let colleague: Editor;
const logLines: string[] = [];

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  app = await createApp(environment.config, {
    now: () => new Date(Date.now() + shiftMs),
    logDestination: { write: (line: string) => void logLines.push(line) },
  });
  await app.startWorkers();
  url = `ws://127.0.0.1:${await app.listen(0)}/webchat`;
  const accounts = new StaffAccounts(app.audit);
  const editor = async (email: string, name: string): Promise<Editor> => {
    const member = await accounts.add(
      app.database.db,
      { practiceId: app.practiceId, email, name, role: 'practice_manager' },
      'test',
    );
    return { id: member.id, name, practiceId: app.practiceId };
  };
  manager = await editor('manager@example.test', 'Test Manager');
  colleague = await editor('colleague@example.test', 'Test Colleague');
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await environment?.cleanup();
});

let sent = 0;
async function ask(client: WebchatTestClient, text: string): Promise<string> {
  const before = client.botMessages().length;
  client.send({ type: 'message', clientMsgId: `msg-${(sent += 1)}-${Date.now()}`, text });
  const messages = await client.waitForBotMessages(before + 1, 30_000); // a liveness bound: a publish retrains on a busy CI machine
  return messages
    .slice(before)
    .map((message) => String(message.text))
    .join('\n');
}

async function newChat(): Promise<WebchatTestClient> {
  const client = await WebchatTestClient.connect(url);
  await client.hello();
  return client;
}

const setSaturday = (opens: string, closes: string) => (content: ContentBundle) => ({
  ...content,
  locations: content.locations.map((location, index) =>
    index === 0
      ? {
          ...location,
          details: { ...location.details, hours: { ...location.details.hours, saturday: [{ opens, closes }] } },
        }
      : location,
  ),
});

/** An edit of one step of the booking flow. */
const changeBookingStep =
  (stepId: string, change: (step: FlowStep) => FlowStep) =>
  (content: ContentBundle): ContentBundle => ({
    ...content,
    flows: content.flows.map((flow) =>
      flow.id !== 'appointment-book'
        ? flow
        : { ...flow, steps: flow.steps.map((step) => (step.id === stepId ? change(step) : step)) },
    ),
  });

test('a draft changes nothing live; publishing changes the answer at once; a rollback restores it', async () => {
  const chat = await newChat();
  const before = await ask(chat, 'are you open saturday?');
  expect(before).toMatch(/9:00 AM.*12:00 PM/);

  await app.content.releases.edit(manager, setSaturday('09:00', '13:00'));
  expect(await ask(chat, 'are you open saturday?')).toBe(before);

  const published = await app.content.releases.publish(manager, 'Saturday until 1');
  expect(published.version).toBe(2);
  expect(await ask(chat, 'are you open saturday?')).toMatch(/9:00 AM.*1:00 PM/);

  const rolledBack = await app.content.releases.rollback(manager, 1);
  expect(rolledBack.version).toBe(3);
  expect(await ask(chat, 'are you open saturday?')).toBe(before);
  const history = await app.content.releases.history(app.practiceId);
  expect(history.map((release) => [release.version, release.status, release.note, release.publishedBy])).toEqual([
    [3, 'published', 'Rollback to version 1', 'Test Manager'],
    [2, 'archived', 'Saturday until 1', 'Test Manager'],
    [1, 'archived', 'Initial content', null],
  ]);
  const audited = await app.database.db
    .selectFrom('audit_events')
    .select(['action', 'actor'])
    .where('action', 'like', 'content.%')
    .orderBy('id')
    .execute();
  expect(audited).toEqual([
    { action: 'content.published', actor: `staff:${manager.id}` },
    { action: 'content.rolled_back', actor: `staff:${manager.id}` },
  ]);
  chat.close();
}, 120_000);

test('a conversation inside a flow finishes on the version it started; new ones get the published one', async () => {
  const halfway = await newChat();
  expect(await ask(halfway, 'I want to book an appointment')).toMatch(/are you already a patient/);

  await app.content.releases.edit(
    manager,
    changeBookingStep('new-patient', (step) => ({
      ...step,
      say: { en: 'Welcome, new friend! A few details first.', es: 'Bienvenido. Unos datos primero.' },
    })),
  );
  const { changedFlows } = await app.content.releases.publish(manager, 'Warmer welcome');
  expect(changedFlows).toEqual(['appointment-book']);

  expect(await ask(halfway, 'No')).toMatch(/^Welcome! Let me take a few details/);
  const fresh = await newChat();
  await ask(fresh, 'I want to book an appointment');
  expect(await ask(fresh, 'No')).toMatch(/^Welcome, new friend! A few details first\./);
  halfway.close();
  fresh.close();
}, 120_000);

test('a step pointing at a missing step cannot be published, and the message names the flow and the step', async () => {
  await app.content.releases.edit(
    manager,
    changeBookingStep('new-patient', (step) => ({ ...step, next: 'confirm-all' })),
  );
  expect(await app.content.releases.draftProblems(app.practiceId)).toContain(
    "Flow 'appointment-book': step 'new-patient' goes to 'confirm-all', which does not exist",
  );
  const refused = await app.content.releases.publish(manager, 'broken').catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(PublishProblemsError);
  expect((refused as Error).message).toContain("step 'new-patient' goes to 'confirm-all', which does not exist");
  expect((await app.content.releases.history(app.practiceId))[0]!.note).toBe('Warmer welcome');
  await app.content.releases.discard(manager);
}, 30_000);

test('the edit lock keeps a second manager out until the first lets go or it lapses', async () => {
  await app.content.releases.edit(manager, setSaturday('09:00', '11:00'));
  const locked = await app.content.releases
    .edit(colleague, setSaturday('10:00', '12:00'))
    .catch((error: unknown) => error);
  expect(locked).toBeInstanceOf(DraftLockedError);
  expect((locked as Error).message).toMatch(/^Test Manager is editing the draft/);
  shiftMs += EDIT_LOCK_MS + 1000;
  await app.content.releases.edit(colleague, setSaturday('10:00', '12:00'));
  const draft = await app.content.releases.draft(app.practiceId);
  expect(draft?.lock?.holder).toBe('Test Colleague');
  expect(draft?.content.locations[0]!.details.hours.saturday).toEqual([{ opens: '10:00', closes: '12:00' }]);
  await app.content.releases.discard(colleague);
}, 30_000);

test('a training phrase added and published is what concierge nlu parse answers with', async () => {
  const phrase = 'when does the front door get unlocked';
  const parse = async () =>
    (JSON.parse((await runCli(environment.env, 'nlu', 'parse', phrase)).stdout) as { intent: string }).intent;
  expect(await parse()).not.toBe('faq.hours');
  await app.content.releases.edit(manager, addEnglishPhrase('faq.hours', phrase));
  await app.content.releases.publish(manager, 'New hours phrase');
  expect(await parse()).toBe('faq.hours');
  const chat = await newChat();
  expect(await ask(chat, phrase)).toMatch(/^Our hours: Monday/);
  chat.close();
}, 90_000);

test('the preview runs the draft in memory: it answers from the draft, and a handoff only says what would happen', async () => {
  const sandbox = new PreviewSandbox({
    practiceId: app.practiceId,
    actions: createActionRegistry(),
    liveProfile: async () => (await loadPracticeContent(app.database.db, app.practiceId)).profile,
    now: () => new Date(),
  });
  const draft = setSaturday('07:00', '11:00')(await app.content.releases.working(app.practiceId));
  const count = async (table: 'outbound_messages' | 'handoff_requests' | 'dialog_state') =>
    Number(
      (
        await app.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const before = await Promise.all([count('outbound_messages'), count('handoff_requests'), count('dialog_state')]);

  const hours = await sandbox.say('manager', { content: draft, stamp: 'draft-1' }, 'are you open saturday?');
  expect(hours.at(-1)).toEqual({ role: 'bot', text: expect.stringMatching(/7:00 AM to 11:00 AM/) as string });
  const handoff = await sandbox.say('manager', { content: draft, stamp: 'draft-1' }, 'can I talk to a real person?');
  expect(handoff.map((line) => line.text).join('\n')).toMatch(/\(Preview\) The conversation would now go to/);
  expect(await Promise.all([count('outbound_messages'), count('handoff_requests'), count('dialog_state')])).toEqual(
    before,
  );
  expect(sandbox.transcript('someone-else')).toEqual([]);
  sandbox.reset('manager');
  expect(sandbox.transcript('manager')).toEqual([]);
}, 60_000);

test('a publish retrains this process once; an announcement from another process (the CLI) refreshes it too', async () => {
  const loaded = () =>
    logLines
      .map((line) => JSON.parse(line) as { msg?: string; version?: number })
      .filter((entry) => entry.msg === 'published content loaded')
      .map((entry) => entry.version);
  const before = loaded().length;
  await app.content.releases.edit(manager, setSaturday('08:00', '12:00'));
  const { version } = await app.content.releases.publish(manager, 'Saturday from 8');
  // What `concierge flows import` sends after publishing from its own process.
  const announcer = new Redis(environment.config.REDIS_URL!);
  try {
    await announcer.publish(contentPublishedChannel(environment.config.QUEUE_PREFIX), JSON.stringify({ version: 99 }));
  } finally {
    announcer.disconnect();
  }
  // Redis delivers in publishing order: had this process acted on its own announcement, that refresh came first.
  await waitFor(() => loaded().includes(99), 60_000, 'the refresh the announcement asked for');
  expect(loaded().slice(before)).toEqual([version, 99]);
}, 90_000);
