/**
 * The consent ledger: STOP and START become ledger events with their evidence, `concierge consent show` prints the
 * history of a phone number, and the table refuses UPDATE and DELETE on both databases.
 */
import { sql } from 'kysely';
import { prepareDatabase } from '../../src/db/prepare-database';
import { createLogger } from '../../src/observability/logger';
import { DEMO_PRACTICE_ID } from '../../src/practice/demo-practice';
import { runCli } from '../support/run-cli';
import { startTestApp, writeInAsPatient } from '../support/test-app';
import { type TestEnvironment, createTestEnvironment } from '../support/test-config';
import { waitFor } from '../support/wait-for';

const PHONE = '+15555550155';
const environments: TestEnvironment[] = [];
afterAll(async () => {
  for (const environment of environments) await environment.cleanup();
});

test('STOP then START: two ledger events with evidence, shown by concierge consent show', async () => {
  const environment = await createTestEnvironment('postgres');
  environments.push(environment);
  const { app, base } = await startTestApp(environment.config);
  try {
    for (const [text, events] of [['STOP', 1], ['start', 2]] as const) {
      expect(await writeInAsPatient(base, PHONE, text)).toBe(303);
      await waitFor(async () => (await app.database.db.selectFrom('consent_events').select('id').execute()).length === events, 15_000, `${events} events`);
    }
  } finally {
    await app.stop();
  }

  const shown = await runCli(environment.env, 'consent', 'show', PHONE);
  expect(shown.stderr).toBe('');
  const history = JSON.parse(shown.stdout) as Array<Record<string, unknown>>;
  expect(history).toEqual([
    expect.objectContaining({
      channel: 'sms',
      purpose: 'messages',
      action: 'revoked',
      source: 'stop_keyword',
      actor: expect.stringMatching(/^patient:/),
      evidence: { inboundMessageId: expect.any(Number), wording: 'STOP' },
    }),
    expect.objectContaining({ purpose: 'messages', action: 'granted', source: 'patient_reply', evidence: expect.objectContaining({ wording: 'start' }) }),
  ]);
  expect((await runCli(environment.env, 'consent', 'show', '555-0155')).stderr).toContain('must be an E.164 number');
}, 120_000);

test.each(['postgres', 'pglite'] as const)('%s: consent_events refuses UPDATE and DELETE', async (kind) => {
  const environment = await createTestEnvironment(kind);
  environments.push(environment);
  const handle = await prepareDatabase(environment.config, createLogger('silent'));
  try {
    const contact = await handle.db
      .insertInto('contacts')
      .values({ practice_id: DEMO_PRACTICE_ID, channel: 'sms', address_hash: 'test-hash', address_enc: 'v1:x:y:z' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await handle.db
      .insertInto('consent_events')
      .values({ practice_id: DEMO_PRACTICE_ID, contact_id: contact.id, channel: 'sms', purpose: 'phi_messages', action: 'granted', source: 'patient_reply', actor: 'test' })
      .execute();
    await expect(sql`update consent_events set action = 'revoked'`.execute(handle.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from consent_events`.execute(handle.db)).rejects.toThrow(/append-only/);
    expect(await handle.db.selectFrom('consent_events').select('action').execute()).toEqual([{ action: 'granted' }]);
  } finally {
    await handle.close();
  }
}, 120_000);
