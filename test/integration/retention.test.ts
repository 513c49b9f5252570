/**
 * `concierge retention run` and its nightly schedule: message bodies and dialog state past the practice's period are
 * purged (rows kept, bodies null), recent ones and messages still being delivered are kept, the secure page's expired
 * codes and old rate-limit windows are deleted, and the run is audited. The worker registers one nightly scheduler.
 */
import { Queue } from 'bullmq';
import { type Kysely, sql } from 'kysely';
import { prepareDatabase } from '../../src/db/prepare-database';
import type { Database } from '../../src/db/schema';
import { createLogger } from '../../src/observability/logger';
import { runCli } from '../support/run-cli';
import { startTestApp, writeInAsPatient } from '../support/test-app';
import { type TestEnvironment, createTestEnvironment } from '../support/test-config';
import { waitFor } from '../support/wait-for';

const OLD_PHONE = '+15555550161';
const RECENT_PHONE = '+15555550162';
const DAY_MS = 86_400_000;

let environment: TestEnvironment;
afterAll(async () => environment?.cleanup());

test('old message bodies, dialog state, codes and limits go; recent and undelivered ones stay; the run is audited', async () => {
  environment = await createTestEnvironment('postgres');
  const { app, base } = await startTestApp(environment.config);
  try {
    for (const phone of [OLD_PHONE, RECENT_PHONE]) {
      expect(await writeInAsPatient(base, phone, 'do you have parking?')).toBe(303);
    }
    await waitFor(
      async () => (await app.database.db.selectFrom('outbound_messages').select('id').execute()).length >= 2,
      20_000,
      'both answers',
    );
    const queue = new Queue('retention', {
      connection: { url: environment.env.REDIS_URL },
      prefix: environment.env.QUEUE_PREFIX,
    });
    const schedulers = await queue.getJobSchedulers().finally(() => queue.close());
    expect(schedulers).toEqual([expect.objectContaining({ pattern: '17 3 * * *', tz: 'America/New_York' })]);
  } finally {
    await app.stop();
  }
  const database = await prepareDatabase(environment.config, createLogger('silent'));
  try {
    await purgeAndCheck(database.db);
  } finally {
    await database.close();
  }
}, 90_000);

async function purgeAndCheck(db: Kysely<Database>): Promise<void> {
  // Make the first patient's conversation 400 days old, and leave one of its answers undelivered.
  const [oldConversation] = await db.selectFrom('conversations').select('id').orderBy('created_at').limit(1).execute();
  const conversationId = oldConversation!.id;
  const longAgo = new Date(Date.now() - 400 * DAY_MS);
  await db
    .updateTable('inbound_messages')
    .set({ received_at: longAgo })
    .where('conversation_id', '=', conversationId)
    .execute();
  await db
    .updateTable('outbound_messages')
    .set({ created_at: longAgo })
    .where('conversation_id', '=', conversationId)
    .execute();
  const undelivered = await sql<{ id: number }>`
    insert into outbound_messages (conversation_id, channel, seq, classification, body_enc, status, created_at)
    select conversation_id, channel, 1000, 'none', body_enc, 'held', created_at from outbound_messages
    where conversation_id = ${conversationId} limit 1
    returning id`
    .execute(db)
    .then((result) => result.rows[0]!);
  await db.updateTable('dialog_state').set({ updated_at: longAgo }).execute();
  // A staff note and a secure-link reply from back then, and a note written today.
  const [practice] = await db.selectFrom('practices').select('id').limit(1).execute();
  const staff = await db
    .insertInto('staff_users')
    .values({
      practice_id: practice!.id,
      email: 'retention@example.test',
      name: 'Test Staff',
      role: 'front_desk',
      password_hash: 'unused',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('inbox_notes')
    .values([
      { conversation_id: conversationId, staff_id: staff.id, body_enc: 'sealed-old', created_at: longAgo },
      { conversation_id: conversationId, staff_id: staff.id, body_enc: 'sealed-new' },
    ])
    .execute();
  await db
    .insertInto('staff_secure_messages')
    .values({ conversation_id: conversationId, body_enc: 'sealed-old', created_at: longAgo })
    .execute();
  await db
    .insertInto('rate_limit_counters')
    .values([
      { bucket: 'old-window', window_start: new Date(Date.now() - 2 * DAY_MS), hits: 3 },
      { bucket: 'current-window', window_start: new Date(), hits: 1 },
    ])
    .execute();

  const run = await runCli(environment.env, 'retention', 'run');
  expect(run.stderr).toBe('');
  const counts = JSON.parse(run.stdout) as Record<string, number>;
  expect(counts).toMatchObject({ inboundBodies: 1, staffBodies: 2, rateLimitCounters: 1 });
  expect(counts.outboundBodies).toBeGreaterThanOrEqual(1);
  expect(counts.dialogStates).toBeGreaterThanOrEqual(1);

  const bodies = await db.selectFrom('outbound_messages').select(['id', 'conversation_id', 'body_enc']).execute();
  for (const row of bodies) {
    const shouldBeKept = row.conversation_id !== conversationId || row.id === undelivered.id;
    expect(row.body_enc === null).toBe(!shouldBeKept);
  }
  const inbound = await db.selectFrom('inbound_messages').select(['conversation_id', 'body_enc', 'seq']).execute();
  expect(inbound).toHaveLength(2); // rows (and their sequence numbers) stay
  for (const row of inbound) expect(row.body_enc === null).toBe(row.conversation_id === conversationId);
  const notes = await db.selectFrom('inbox_notes').select('body_enc').orderBy('id').execute();
  expect(notes.map((row) => row.body_enc)).toEqual([null, 'sealed-new']);
  expect(await db.selectFrom('staff_secure_messages').select('body_enc').execute()).toEqual([{ body_enc: null }]);
  expect((await db.selectFrom('rate_limit_counters').select('bucket').execute()).map((row) => row.bucket)).toEqual([
    'current-window',
  ]);
  const audited = await sql<{ action: string }>`select action from audit_events where action = 'retention.run'`.execute(
    db,
  );
  expect(audited.rows).toHaveLength(1);

  // A second run finds nothing more to purge.
  const again = JSON.parse((await runCli(environment.env, 'retention', 'run')).stdout) as Record<string, number>;
  expect(again).toMatchObject({ inboundBodies: 0, outboundBodies: 0, staffBodies: 0, rateLimitCounters: 0 });
}
