/**
 * Messenger through the whole product: the real webhook, ingest, worker, flows and the Messenger sender talking to a
 * fake Graph API on 127.0.0.1 (real HTTP). Acceptance of issue 3 for Messenger.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../../src/app';
import { startTestApp } from '../support/test-app';
import { GraphApiServer } from '../fakes/graph/graph-api-server';
import { type TestEnvironment, createTestEnvironment } from '../support/test-config';
import { waitFor } from '../support/wait-for';

const APP_SECRET = 'test-app-secret';
const PAGE_TOKEN = 'test-page-token';
const VERIFY_TOKEN = 'test-verify-token';
const batch = fs.readFileSync(path.join(__dirname, '../fixtures/messenger/three-messages-two-users.json'));

let graph: GraphApiServer;
let environment: TestEnvironment;
let app: App;
let base: string;

beforeAll(async () => {
  graph = await GraphApiServer.start({ pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET });
  for (const psid of ['7100000000000006', '7100000000000007']) graph.setLastUserMessageAt(psid, new Date());
  environment = await createTestEnvironment('postgres', {
    META_APP_SECRET: APP_SECRET,
    META_VERIFY_TOKEN: VERIFY_TOKEN,
    META_PAGE_ACCESS_TOKEN: PAGE_TOKEN,
    META_GRAPH_BASE_URL: graph.baseUrl,
  });
  ({ app, base } = await startTestApp(environment.config));
});

afterAll(async () => {
  await app?.stop();
  await environment?.cleanup();
  await graph?.stop();
});

function post(body: Buffer, signature: string | undefined) {
  return fetch(`${base}/webhooks/messenger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
    body,
  });
}

const sign = (body: Buffer) => `sha256=${crypto.createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;

test('the verification handshake answers the challenge only for our token', async () => {
  const ok = await fetch(`${base}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=4242`);
  expect(ok.status).toBe(200);
  expect(await ok.text()).toBe('4242');
  expect((await fetch(`${base}/webhooks/messenger?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status).toBe(403);
});

test('a signed batch of three messages from two users gets three answers, in order per user; a bad signature gets 403', async () => {
  expect((await post(batch, 'sha256=' + '0'.repeat(64))).status).toBe(403);
  expect((await post(batch, undefined)).status).toBe(400);
  const accepted = await post(batch, sign(batch));
  expect(accepted.status).toBe(200);
  // Delivered twice: still three answers.
  expect((await post(batch, sign(batch))).status).toBe(200);
  const sent = await waitFor(() => (graph.messages.length >= 3 ? graph.messages : undefined), 20_000, 'three answers');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(graph.messages).toHaveLength(3);
  const first = sent.filter((message) => message.recipientId === '7100000000000006');
  expect(first.map((message) => message.text)).toEqual([expect.stringMatching(/^Hi! I'm the automated assistant/), expect.stringMatching(/parking/i)]);
  expect(sent.find((message) => message.recipientId === '7100000000000007')!.text).toMatch(/^Our hours:/);
  expect(sent.every((message) => message.messagingType === 'RESPONSE')).toBe(true);
});

test('an echo of our own message gets no answer', async () => {
  const before = graph.messages.length;
  const echo = Buffer.from(
    JSON.stringify({
      object: 'page',
      entry: [{ id: '100000000000001', time: Date.now(), messaging: [{ sender: { id: '100000000000001' }, recipient: { id: '7100000000000006' }, timestamp: Date.now(), message: { mid: 'm_echo_1', text: 'hello', is_echo: true } }] }],
    }),
  );
  expect((await post(echo, sign(echo))).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(graph.messages.length).toBe(before);
  const stored = await app.database.db.selectFrom('inbound_messages').select('id').where('provider_message_id', '=', 'm_echo_1').execute();
  expect(stored).toEqual([]);
});

/** A signed batch with one patient message in `standby` (another app, e.g. the page inbox, owns the thread). */
function standbyBatch(psid: string, mid: string, text: string): Buffer {
  const event = { sender: { id: psid }, recipient: { id: '100000000000001' }, timestamp: Date.now(), message: { mid, text } };
  return Buffer.from(JSON.stringify({ object: 'page', entry: [{ id: '100000000000001', time: Date.now(), standby: [event] }] }));
}

test('a standby message is recorded once in the transcript and never answered, even when the bot later answers the thread', async () => {
  const psid = '7100000000000008';
  graph.setLastUserMessageAt(psid, new Date());
  const standby = standbyBatch(psid, 'm_standby_1', 'what are your hours?');
  expect((await post(standby, sign(standby))).status).toBe(200);
  expect((await post(standby, sign(standby))).status).toBe(200);
  // Then the thread comes back to the bot and the patient writes again: only that message is answered.
  const later = Buffer.from(
    JSON.stringify({
      object: 'page',
      entry: [{ id: '100000000000001', time: Date.now(), messaging: [{ sender: { id: psid }, recipient: { id: '100000000000001' }, timestamp: Date.now(), message: { mid: 'm_after_standby', text: 'do you have parking?' } }] }],
    }),
  );
  expect((await post(later, sign(later))).status).toBe(200);
  await waitFor(() => graph.messages.some((message) => message.recipientId === psid), 20_000, 'an answer to the later message');
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const db = app.database.db;
  const inbound = await db
    .selectFrom('inbound_messages')
    .select(['id', 'conversation_id', 'provider_message_id', 'processed_at'])
    .where('provider_message_id', 'in', ['m_standby_1', 'm_after_standby'])
    .orderBy('seq')
    .execute();
  expect(inbound.map((row) => row.provider_message_id)).toEqual(['m_standby_1', 'm_after_standby']);
  expect(inbound.every((row) => row.processed_at !== null)).toBe(true);
  const answeredIds = await db.selectFrom('outbound_messages').select('inbound_message_id').where('conversation_id', '=', inbound[0]!.conversation_id).execute();
  expect(answeredIds.length).toBeGreaterThan(0);
  expect(answeredIds.every((row) => row.inbound_message_id === inbound[1]!.id)).toBe(true);
  const sent = graph.messages.filter((message) => message.recipientId === psid);
  expect(sent.some((message) => /hours/i.test(message.text ?? ''))).toBe(false);

  const transcript = await app.repository.transcriptSince(db, inbound[0]!.conversation_id, 0);
  expect(transcript.filter((entry) => entry.role === 'patient').map((entry) => entry.text)).toEqual(['what are your hours?', 'do you have parking?']);
});
