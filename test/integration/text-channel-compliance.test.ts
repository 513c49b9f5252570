/**
 * Text channels without provider credentials (demo mode → dev outbox): patients written in through /dev/outbox get
 * answers; STOP / START / HELP and free-text revocation are honoured before anything else; nothing automated reaches
 * an opted-out number; provider statuses only move forward.
 */
import type { App } from '../../src/app';
import { startTestApp } from '../support/test-app';
import { type TestEnvironment, createTestEnvironment } from '../support/test-config';
import { waitFor } from '../support/wait-for';

let environment: TestEnvironment;
let app: App;
let base: string;

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  ({ app, base } = await startTestApp(environment.config));
});

afterAll(async () => {
  await app?.stop();
  await environment?.cleanup();
});

async function textIn(from: string, text: string, channel = 'sms'): Promise<void> {
  const response = await fetch(`${base}/dev/outbox/inbound`, {
    method: 'POST',
    body: new URLSearchParams({ channel, from, text }),
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
}

/** The practice starts a message (as a reminder would) through the dev outbox's second form. */
async function automatedTo(to: string, text: string): Promise<void> {
  const response = await fetch(`${base}/dev/outbox/automated`, {
    method: 'POST',
    body: new URLSearchParams({ channel: 'sms', from: to, text }),
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
}

/** The replies to `from`, oldest first, once `count` exist and none is still being sent. */
async function repliesTo(from: string, count: number) {
  return waitFor(async () => {
    const rows = await app.database.db
      .selectFrom('outbound_messages')
      .innerJoin('conversations', 'conversations.id', 'outbound_messages.conversation_id')
      .select(['outbound_messages.id', 'outbound_messages.body_enc', 'outbound_messages.status', 'outbound_messages.author', 'outbound_messages.last_error_code', 'outbound_messages.provider_message_id', 'conversations.contact_id'])
      .where('conversations.contact_id', 'in', app.database.db.selectFrom('contacts').select('id').where('address_hash', '=', app.keyRing.blindIndex('contact:sms', from)))
      .orderBy('outbound_messages.id')
      .execute();
    const settled = rows.every((row) => row.status !== 'queued' && row.status !== 'sending');
    return rows.length >= count && settled
      ? rows.map((row) => ({ ...row, text: app.keyRing.decrypt(row.body_enc!) }))
      : undefined;
  }, 15_000, `${count} replies`);
}

test('an SMS question is answered through the dev outbox', async () => {
  await textIn('+15555550101', 'what are your hours?');
  const [reply] = await repliesTo('+15555550101', 1);
  expect(reply!.text).toMatch(/^Our hours:/);
  expect(reply!.status).toBe('delivered');
  const page = await (await fetch(`${base}/dev/outbox`)).text();
  expect(page).toContain('+15555550101');
  expect(page).toContain('Our hours:');
});

test('STOP opts out with one confirmation; automated replies are then suppressed; HELP still answers; START resubscribes', async () => {
  const phone = '+15555550102';
  await textIn(phone, 'STOP');
  let replies = await repliesTo(phone, 1);
  expect(replies[0]).toMatchObject({ author: 'system', status: 'delivered' });
  expect(replies[0]!.text).toMatch(/unsubscribed from Riverside Family Medicine/);

  await textIn(phone, 'what are your hours?');
  replies = await repliesTo(phone, 2);
  expect(replies[1]).toMatchObject({ status: 'failed', last_error_code: 'opted_out', author: 'bot' });
  // A message the practice starts (a reminder) is suppressed too, whatever the time of day.
  await automatedTo(phone, 'Flu shots are available this week.');
  replies = await repliesTo(phone, 3);
  expect(replies[2]).toMatchObject({ status: 'failed', last_error_code: 'opted_out', author: 'bot', text: 'Flu shots are available this week.' });

  await textIn(phone, 'help');
  replies = await repliesTo(phone, 4);
  expect(replies[3]!.text).toMatch(/For help call \(555\) 010-2000\. Msg frequency varies\. Msg&data rates may apply\. Reply STOP to opt out\./);
  expect(replies[3]!.status).toBe('delivered');

  await textIn(phone, 'Start');
  replies = await repliesTo(phone, 5);
  expect(replies[4]!.text).toMatch(/subscribed to Riverside Family Medicine messages again/);
  await textIn(phone, 'do you have parking?');
  replies = await repliesTo(phone, 6);
  expect(replies[5]).toMatchObject({ status: 'delivered', author: 'bot' });
});

test('a free-text revocation counts; a STOP Twilio already answered gets no second confirmation', async () => {
  await textIn('+15555550103', 'please stop texting me');
  const [confirmation] = await repliesTo('+15555550103', 1);
  expect(confirmation!.text).toMatch(/unsubscribed/);
  const optOut = await app.database.db.selectFrom('consent_events').selectAll().where('contact_id', '=', confirmation!.contact_id).executeTakeFirst();
  expect(optOut).toMatchObject({ purpose: 'messages', action: 'revoked', source: 'patient_reply' });

  const accepted = await app.ingest.acceptFrom({
    practiceId: app.practiceId,
    channel: 'sms',
    address: '+15555550104',
    providerMessageId: 'SM00000000000000000000000000000104',
    text: 'STOP',
    payload: 'twilio-opt-out:STOP',
  });
  await waitFor(async () => (await app.database.db.selectFrom('inbound_messages').select('processed_at').where('id', '=', accepted.inboundMessageId).executeTakeFirst())?.processed_at ?? undefined);
  const rows = await app.database.db.selectFrom('outbound_messages').select('id').where('inbound_message_id', '=', accepted.inboundMessageId).execute();
  expect(rows).toEqual([]);
});

test('provider statuses only move forward, and a 21610 failure records the opt-out', async () => {
  await textIn('+15555550105', 'what is your fax number?');
  const [reply] = await repliesTo('+15555550105', 1);
  const status = (value: Parameters<App['outbox']['recordProviderStatus']>[0]['status'], errorCode?: string) =>
    app.outbox.recordProviderStatus({ channel: 'sms', providerMessageId: reply!.provider_message_id!, status: value, errorCode });
  await status('sent');
  await status('read');
  await status('delivered');
  const row = await app.database.db.selectFrom('outbound_messages').select(['status', 'status_history']).where('id', '=', reply!.id).executeTakeFirstOrThrow();
  expect(row.status).toBe('read');
  expect(row.status_history.map((entry) => entry.status)).toEqual(['queued', 'sending', 'delivered', 'read']);
  await status('failed', '21610');
  const optOut = await app.database.db.selectFrom('consent_events').selectAll().where('contact_id', '=', reply!.contact_id).executeTakeFirst();
  expect(optOut).toMatchObject({ purpose: 'messages', action: 'revoked', source: 'carrier', actor: 'carrier' });
});
