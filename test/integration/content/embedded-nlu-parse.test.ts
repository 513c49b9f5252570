/**
 * With the embedded database (the `npm start` default) the running product holds PGlite, so `concierge nlu parse`
 * cannot open it: it answers from the copy of the published phrases the product keeps in DATA_DIR, refreshed on
 * every publish.
 */
import { type App, createApp } from '../../../src/app';
import { StaffAccounts } from '../../../src/inbox/staff-accounts';
import { runCli } from '../../support/run-cli';
import { addEnglishPhrase } from './content-edits';
import { type TestEnvironment, createTestEnvironment } from '../../support/test-config';

let environment: TestEnvironment;
let app: App;

beforeAll(async () => {
  environment = await createTestEnvironment('pglite');
  app = await createApp(environment.config, { logDestination: { write: () => undefined } });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await environment?.cleanup();
});

test('a phrase published while the product runs on PGlite is what concierge nlu parse answers with', async () => {
  const phrase = 'when does the front door get unlocked';
  const parse = async () => {
    const result = await runCli(environment.env, 'nlu', 'parse', phrase);
    expect(result.stderr).toBe('');
    return (JSON.parse(result.stdout) as { intent: string }).intent;
  };
  expect(await parse()).not.toBe('faq.hours');
  const member = await new StaffAccounts(app.audit).add(
    app.database.db,
    { practiceId: app.practiceId, email: 'manager@example.test', name: 'Test Manager', role: 'practice_manager' },
    'test',
  );
  const manager = { id: member.id, name: member.name, practiceId: app.practiceId };
  await app.content.releases.edit(manager, addEnglishPhrase('faq.hours', phrase));
  await app.content.releases.publish(manager, 'New hours phrase');
  expect(await parse()).toBe('faq.hours');
}, 90_000);
