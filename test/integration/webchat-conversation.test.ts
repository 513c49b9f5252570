/**
 * The spine end to end over the real web chat socket, real PostgreSQL and real Redis: ingest → durable → ordered
 * processing → outbox → send → socket. Also proves no message text reaches the logs.
 */
import { type App, createApp } from '../../src/app';
import { LogCapture } from '../support/log-capture';
import { type TestEnvironment, createTestEnvironment } from '../support/test-config';
import { waitFor } from '../support/wait-for';
import { WebchatTestClient } from '../support/webchat-client';

// A Sunday in November, 3 pm in New York: the Saturday asked about is 2026-11-28 (not a holiday).
const NOW = new Date('2026-11-22T20:00:00Z');

let environment: TestEnvironment;
let app: App;
let url: string;
let httpBase: string;
const logs = new LogCapture();

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  app = await createApp(environment.config, { logDestination: logs, now: () => NOW });
  await app.startWorkers();
  const port = await app.listen(0);
  url = `ws://127.0.0.1:${port}/webchat`;
  httpBase = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await app?.stop();
  await environment?.cleanup();
});

async function ask(client: WebchatTestClient, text: string, clientMsgId: string): Promise<string> {
  const before = client.botMessages().length;
  client.send({ type: 'message', clientMsgId, text });
  const messages = await client.waitForBotMessages(before + 1);
  return String(messages[before]!.text);
}

test('answers Saturday hours, Spanish insurance questions and emergencies', async () => {
  const client = await WebchatTestClient.connect(url);
  const welcome = await client.hello();
  expect(welcome.type).toBe('welcome');
  expect(String(welcome.token)).toMatch(/^v1\./);

  expect(await ask(client, 'what time do you open on saturday?', 'msg-sat-0001')).toMatch(
    /Saturday.*9:00 AM to 12:00 PM/,
  );
  const spanish = await ask(client, '¿aceptan Medicaid?', 'msg-med-0001');
  expect(spanish).toMatch(/Sí, aceptamos Medicaid/);
  // Understood in English, answered in the conversation's language (now Spanish).
  expect(await ask(client, 'ok thanks', 'msg-thx-0001')).toMatch(/Con gusto/);
  const emergency = await ask(client, 'I have crushing chest pain', 'msg-emg-0001');
  expect(emergency).toMatch(/^If this is an emergency, call 911/);
  client.close();
});

test('the same clientMsgId twice gives one bot reply, and a reconnect replays the transcript', async () => {
  const client = await WebchatTestClient.connect(url);
  const welcome = await client.hello();
  client.send({ type: 'message', clientMsgId: 'dup-0000001', text: 'where are you located?' });
  client.send({ type: 'message', clientMsgId: 'dup-0000001', text: 'where are you located?' });
  const acks = await Promise.all([
    client.next((f) => f.type === 'ack' && f.duplicate === false),
    client.next((f) => f.type === 'ack' && f.duplicate === true),
  ]);
  expect(acks[0].seq).toBe(acks[1].seq);
  await client.waitForBotMessages(1);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(client.botMessages()).toHaveLength(1);
  expect(String(client.botMessages()[0]!.text)).toMatch(/1200 River Road/);
  client.close();

  const again = await WebchatTestClient.connect(url);
  const rewelcome = await again.hello(String(welcome.token), 0);
  expect(rewelcome.conversationId).toBe(welcome.conversationId);
  const replay = await again.waitForBotMessages(1);
  const patient = again.frames.filter((f) => f.type === 'message' && f.role === 'patient');
  expect(patient.map((f) => f.text)).toEqual(['where are you located?']);
  expect(replay[0]!.seq).toBeGreaterThan(Number(patient[0]!.seq));
  again.close();
});

test('messages of one conversation are answered in the order they were sent', async () => {
  const client = await WebchatTestClient.connect(url);
  await client.hello();
  const questions = ['hello', 'do you have parking?', 'what is your fax number?', 'are you accepting new patients?'];
  questions.forEach((text, index) => client.send({ type: 'message', clientMsgId: `order-000${index}`, text }));
  const replies = await client.waitForBotMessages(questions.length);
  expect(replies.map((r) => Number(r.seq))).toEqual([...replies.map((r) => Number(r.seq))].sort((a, b) => a - b));
  expect(String(replies[0]!.text)).toMatch(/Riverside Family Medicine/);
  expect(String(replies[1]!.text)).toMatch(/parking/i);
  expect(String(replies[2]!.text)).toMatch(/Fax: \(555\) 010-2001/);
  expect(String(replies[3]!.text)).toMatch(/accepting new patients/);
  client.close();
});

test('malformed and oversized frames get an error frame and the socket stays usable', async () => {
  const client = await WebchatTestClient.connect(url);
  await client.hello();
  client.sendRaw('{not json');
  expect((await client.next((f) => f.type === 'error')).code).toBe('malformed');
  client.sendRaw(JSON.stringify({ type: 'message', clientMsgId: 'big-0000001', text: 'x'.repeat(20_000) }));
  expect((await client.next((f) => f.type === 'error' && f.code === 'too_large')).reason).toMatch(/limited/);
  client.send({ type: 'message', clientMsgId: 'short', text: '' });
  await client.next((f) => f.type === 'error' && String(f.reason).startsWith('clientMsgId'));
  client.sendRaw(Buffer.from([0xff, 0x00, 0x13]));
  client.send({ type: 'ping' });
  await client.next((f) => f.type === 'pong');
  expect(client.isOpen).toBe(true);
  expect(await ask(client, 'thanks!', 'after-errors-1')).toMatch(/welcome/i);
});

test('an invalid visitor token is refused without revealing anything', async () => {
  const client = await WebchatTestClient.connect(url);
  const answer = await client.hello('v1.00000000-0000-0000-0000-000000000000.9999999999.forged');
  expect(answer).toMatchObject({ type: 'error', code: 'unauthorized' });
  client.close();
});

test('message texts are stored encrypted and never logged', async () => {
  const canary = 'Canary Patient 555-0199 born 1970-01-01';
  const client = await WebchatTestClient.connect(url);
  await client.hello();
  await ask(client, canary, 'canary-00001');
  client.close();
  expect(logs.text()).not.toContain('Canary Patient');
  expect(logs.text()).not.toContain('555-0199');
  const rows = await app.database.db.selectFrom('inbound_messages').select('body_enc').execute();
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) expect(row.body_enc).toMatch(/^v1:test1:/);
});

test('health, readiness and metrics report on the real dependencies', async () => {
  expect(await (await fetch(`${httpBase}/healthz`)).json()).toEqual({ status: 'ok' });
  const ready = await fetch(`${httpBase}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready', checks: { database: true, redis: true } });
  const metrics = await (await fetch(`${httpBase}/metrics`)).text();
  expect(metrics).toMatch(/concierge_turns_total\{outcome="answered"\} [1-9]/);
  expect(metrics).toMatch(/concierge_turns_total\{outcome="emergency"\} [1-9]/);
  expect(metrics).toMatch(/concierge_nlu_duration_seconds_count [1-9]/);
  expect(metrics).toMatch(/concierge_queue_jobs\{queue="process-inbound",state="waiting"\} \d+/);
  const missing = await fetch(`${httpBase}/nope`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no such route' } });
});

test('a miss asks to rephrase; a second miss offers staff and hands the conversation to the front desk', async () => {
  const client = await WebchatTestClient.connect(url);
  const welcome = await client.hello();
  expect(await ask(client, 'the purple elephant sings opera', 'miss-000001')).toMatch(/say it another way/);
  const offer = await ask(client, 'my cousin plays the banjo on mars', 'miss-000002');
  expect(offer).toMatch(/member of our staff/);
  expect(client.botMessages().at(-1)!.quickReplies).toEqual([
    { title: 'Yes, please', payload: 'yes' },
    { title: 'No, thanks', payload: 'no' },
  ]);
  client.send({ type: 'message', clientMsgId: 'miss-000003', text: 'Yes, please', payload: 'yes' });
  const [confirmation, terms] = (await client.waitForBotMessages(4)).slice(2);
  expect(String(confirmation!.text)).toMatch(/asked our team to follow up/);
  // The terms: a reply target while the office is open, the next opening otherwise.
  expect(String(terms!.text)).toMatch(
    /our front desk will (join this conversation and reply here within 15 minutes|reply here when we open)/,
  );
  const requests = await app.database.db
    .selectFrom('handoff_requests')
    .select(['reason', 'department', 'state'])
    .where('conversation_id', '=', String(welcome.conversationId))
    .execute();
  expect(requests).toEqual([{ reason: 'not_understood', department: 'front_desk', state: 'waiting' }]);
  // Now a person owns it: the bot says nothing to the next question.
  client.send({ type: 'message', clientMsgId: 'miss-000004', text: 'do you have parking?' });
  await waitFor(
    async () => {
      const row = await app.database.db
        .selectFrom('inbound_messages')
        .select('processed_at')
        .where('conversation_id', '=', String(welcome.conversationId))
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      return row.processed_at !== null;
    },
    15_000,
    'the question to be processed',
  );
  expect(client.botMessages()).toHaveLength(4);
  client.close();

  // An understood question resets the count: the next miss asks to rephrase again.
  const other = await WebchatTestClient.connect(url);
  await other.hello();
  expect(await ask(other, 'the purple elephant sings opera', 'miss-000011')).toMatch(/say it another way/);
  await ask(other, 'do you have parking?', 'miss-000012');
  expect(await ask(other, 'the purple elephant sings opera again', 'miss-000013')).toMatch(/say it another way/);
  other.close();
});

test('sent replies record their status history forward: queued → sending → sent', async () => {
  const client = await WebchatTestClient.connect(url);
  const welcome = await client.hello();
  await ask(client, 'what is your phone number?', 'status-00001');
  client.close();
  // The socket may deliver the reply a moment before the sender records it as sent.
  const rows = await waitFor(
    async () => {
      const stored = await app.database.db
        .selectFrom('outbound_messages')
        .select(['status', 'status_history', 'language'])
        .where('conversation_id', '=', String(welcome.conversationId))
        .execute();
      return stored.length === 1 && stored[0]!.status !== 'sending' ? stored : undefined;
    },
    5_000,
    'the reply to be recorded as sent',
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]!.status).toBe('sent');
  expect(rows[0]!.language).toBe('en');
  expect(rows[0]!.status_history.map((entry) => entry.status)).toEqual(['queued', 'sending', 'sent']);
});
