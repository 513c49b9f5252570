/**
 * The Twilio webhook router in front of the real IngestService and OutboxService (real PostgreSQL and Redis, no
 * workers): a signed inbound message is stored once however often (and however concurrently) Twilio delivers it,
 * enqueued once, stored encrypted, and on the right channel; concurrent first messages from one number make one
 * contact and one conversation; status callbacks reach the real outbox.
 */
import { type App, createApp } from '../../../src/app';
import { createTwilioWebhookRouter } from '../../../webhooks/twilio/twilio-webhook-router';
import { LogCapture } from '../../support/log-capture';
import { type TestEnvironment, createTestEnvironment } from '../../support/test-config';
import {
  AUTH_TOKEN,
  type TestHttpApp,
  encodeForm,
  fixtureFields,
  postForm,
  readFixture,
  startHttpApp,
} from './twilio-test-kit';

const PUBLIC_URL = 'https://concierge.example.test';
const MESSAGING = '/webhooks/twilio/messaging';

let environment: TestEnvironment;
let app: App;
let http: TestHttpApp;
const appLogs = new LogCapture();

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  app = await createApp(environment.config, { logDestination: appLogs });
  http = await startHttpApp((logger, metrics) => [
    createTwilioWebhookRouter({
      authToken: AUTH_TOKEN,
      publicUrl: PUBLIC_URL,
      ingest: app.ingest,
      statuses: app.outbox,
      practiceId: () => app.practiceId,
      logger,
      metrics,
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await http?.close();
  await app?.stop();
  await environment?.cleanup();
});

function post(path: string, body: string) {
  return postForm(`${http.baseUrl}${path}`, body, { signedUrl: `${PUBLIC_URL}${path}` });
}

async function inboundRows(providerMessageId: string) {
  return app.database.db
    .selectFrom('inbound_messages')
    .innerJoin('conversations', 'conversations.id', 'inbound_messages.conversation_id')
    .select([
      'inbound_messages.id',
      'inbound_messages.channel',
      'inbound_messages.body_enc',
      'conversations.channel as conversation_channel',
    ])
    .where('inbound_messages.provider_message_id', '=', providerMessageId)
    .execute();
}

test('an SMS delivered twice, then five times at once, is stored and enqueued once', async () => {
  const body = readFixture('sms-inbound.form');
  expect((await post(MESSAGING, body)).status).toBe(200);
  expect((await post(MESSAGING, body)).status).toBe(200);
  const concurrent = await Promise.all(Array.from({ length: 5 }, () => post(MESSAGING, body)));
  expect(concurrent.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);

  const rows = await inboundRows('SM5f1b2c3d4e5f60718293a4b5c6d7e8f9');
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ channel: 'sms', conversation_channel: 'sms' });
  expect(JSON.stringify(rows[0]!.body_enc)).not.toContain('hours');
  const job = await app.inboundQueue.getJob(`inbound-${rows[0]!.id}`);
  expect(job?.data.inboundMessageId).toBe(rows[0]!.id);
});

test('a first delivery racing four retries of itself is stored once, with the opt-out marker', async () => {
  const body = readFixture('sms-inbound-stop.form');
  const responses = await Promise.all(Array.from({ length: 5 }, () => post(MESSAGING, body)));
  expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
  const rows = await inboundRows('SM0a1b2c3d4e5f60718293a4b5c6d7e8f0');
  expect(rows).toHaveLength(1);
  const stored = await app.database.db
    .selectFrom('inbound_messages')
    .select('payload_enc')
    .where('id', '=', rows[0]!.id)
    .executeTakeFirstOrThrow();
  expect(app.keyRing.decrypt(stored.payload_enc!)).toBe('twilio-opt-out:STOP');
});

test('WhatsApp messages land in a WhatsApp conversation, separate from the same number on SMS', async () => {
  expect((await post(MESSAGING, readFixture('whatsapp-inbound-text.form'))).status).toBe(200);
  const [whatsappRow] = await inboundRows(fixtureFields('whatsapp-inbound-text.form').MessageSid!);
  expect(whatsappRow).toMatchObject({ channel: 'whatsapp', conversation_channel: 'whatsapp' });
  const [smsRow] = await inboundRows('SM5f1b2c3d4e5f60718293a4b5c6d7e8f9');
  const conversations = await app.database.db
    .selectFrom('inbound_messages')
    .select('conversation_id')
    .where('id', 'in', [whatsappRow!.id, smsRow!.id])
    .execute();
  expect(new Set(conversations.map((row) => row.conversation_id)).size).toBe(2);
});

/** The recorded SMS from `from`, with its own MessageSid (`SM` + 32 hex digits ending in `index`). */
function smsFrom(from: string, index: number): string {
  const sid = `SM${'c0ffee'.padEnd(30, '0')}${index.toString(16).padStart(2, '0')}`;
  return encodeForm({ ...fixtureFields('sms-inbound.form'), From: from, MessageSid: sid, SmsSid: sid, SmsMessageSid: sid });
}

async function conversationsOf(channel: string, messageIds: readonly number[]) {
  const rows = await app.database.db
    .selectFrom('inbound_messages')
    .innerJoin('conversations', 'conversations.id', 'inbound_messages.conversation_id')
    .select(['inbound_messages.seq', 'conversations.id as conversation_id', 'conversations.contact_id'])
    .where('inbound_messages.channel', '=', channel)
    .where('inbound_messages.id', 'in', messageIds)
    .execute();
  return {
    contacts: new Set(rows.map((row) => row.contact_id)),
    conversations: new Set(rows.map((row) => row.conversation_id)),
    seqs: rows.map((row) => row.seq).sort((a, b) => a - b),
  };
}

async function storedIds(bodies: readonly string[]): Promise<number[]> {
  const sids = bodies.map((body) => new URLSearchParams(body).get('MessageSid')!);
  const rows = await app.database.db.selectFrom('inbound_messages').select('id').where('provider_message_id', 'in', sids).execute();
  return rows.map((row) => row.id);
}

test('six first messages at once from a new number make one contact, one conversation and six seqs', async () => {
  const bodies = Array.from({ length: 6 }, (_, index) => smsFrom('+15555550177', index));
  const responses = await Promise.all(bodies.map((body) => post(MESSAGING, body)));
  expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);

  const ids = await storedIds(bodies);
  expect(ids).toHaveLength(6);
  const stored = await conversationsOf('sms', ids);
  expect(stored.contacts.size).toBe(1);
  expect(stored.conversations.size).toBe(1);
  expect(stored.seqs).toEqual([1, 2, 3, 4, 5, 6]);
  const contacts = await app.database.db.selectFrom('contacts').select('id').where('id', 'in', [...stored.contacts]).execute();
  expect(contacts).toHaveLength(1);
  for (const id of ids) expect(await app.inboundQueue.getJob(`inbound-${id}`)).toBeDefined();
});

test('after its conversation closed, messages at once from a known number open one new conversation', async () => {
  const first = smsFrom('+15555550178', 10);
  expect((await post(MESSAGING, first)).status).toBe(200);
  const before = await conversationsOf('sms', await storedIds([first]));
  await app.database.db.updateTable('conversations').set({ state: 'closed' }).where('id', 'in', [...before.conversations]).execute();

  const bodies = Array.from({ length: 5 }, (_, index) => smsFrom('+15555550178', 11 + index));
  const responses = await Promise.all(bodies.map((body) => post(MESSAGING, body)));
  expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
  const after = await conversationsOf('sms', await storedIds(bodies));
  expect(after.conversations.size).toBe(1);
  expect([...after.conversations][0]).not.toBe([...before.conversations][0]);
  expect(after.contacts).toEqual(before.contacts);
  expect(after.seqs).toEqual([1, 2, 3, 4, 5]);
});

test('a status callback for a message we never sent is acknowledged and changes nothing', async () => {
  expect((await post('/webhooks/twilio/status', readFixture('status-sms-delivered.form'))).status).toBe(204);
});

test('no phone number or message text in any log', () => {
  const logs = `${appLogs.text()}\n${http.logs.text()}`;
  expect(logs).not.toContain('5555550123');
  expect(logs).not.toContain('What are your hours');
  expect(logs).not.toContain('qué hora');
});
