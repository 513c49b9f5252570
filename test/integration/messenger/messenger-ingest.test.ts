/**
 * The Messenger edge with the real IngestService on the machine's PostgreSQL and Redis: a signed batch is stored
 * once per `mid`, in timestamp order per sender, encrypted, and enqueued; a redelivery stores nothing new; a database
 * that cannot be reached answers 503 so Meta delivers again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { ProviderStatusSink } from '../../../src/channels/channel-sender';
import { ConversationRepository } from '../../../src/conversation/conversation-repository';
import { IngestService } from '../../../src/conversation/ingest-service';
import { type DatabaseHandle, openDatabase } from '../../../src/db/open-database';
import { prepareDatabase } from '../../../src/db/prepare-database';
import { createHttpApp } from '../../../src/http/http-app';
import { createLogger } from '../../../src/observability/logger';
import { createMetrics } from '../../../src/observability/metrics';
import { KeyRing } from '../../../src/phi/key-ring';
import { DEMO_PRACTICE_ID } from '../../../src/practice/demo-practice';
import { type ProcessInboundJobData, processInboundQueue } from '../../../src/queues/process-inbound-queue';
import { createMessengerWebhookRouter } from '../../../webhooks/messenger/messenger-webhook-router';
import { findFreePort } from '../../support/free-port';
import { LogCapture } from '../../support/log-capture';
import { TEST_PHI_KEYS, TEST_REDIS_URL, type TestEnvironment, createTestEnvironment } from '../../support/test-config';

const FIXTURES = path.resolve(__dirname, '../../fixtures/messenger');
const APP_SECRET = 'test-app-secret-not-real';

let environment: TestEnvironment;
let database: DatabaseHandle;
let unreachable: DatabaseHandle;
let redis: Redis;
let queue: Queue<ProcessInboundJobData>;
let server: http.Server;
let baseUrl: string;
const logs = new LogCapture();

/** Delivery statuses belong to the outbox (not wired to this edge yet): recorded here, checked in passing. */
const statusUpdates: Array<Parameters<ProviderStatusSink['recordProviderStatus']>[0]> = [];
const statuses: ProviderStatusSink = {
  recordProviderStatus: async (update) => {
    statusUpdates.push(update);
  },
};

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  database = await prepareDatabase(environment.config, createLogger('silent'));
  unreachable = await openDatabase({
    ...environment.config,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${await findFreePort()}/postgres`,
  });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  queue = processInboundQueue.createQueue({ connection: redis, prefix: environment.config.QUEUE_PREFIX });
  const repository = new ConversationRepository(new KeyRing(TEST_PHI_KEYS));
  const logger = createLogger('info', logs);
  const metrics = createMetrics();
  const appFor = (db: DatabaseHandle) =>
    createHttpApp(logger, metrics, [
      createMessengerWebhookRouter({
        appSecret: APP_SECRET,
        verifyToken: 'test-verify-token-not-real',
        ingest: new IngestService(db.db, repository, queue),
        statuses,
        practiceId: () => DEMO_PRACTICE_ID,
        logger,
        metrics,
      }),
    ]);
  // A second app shares everything but the database, where nothing listens; a test header picks it.
  const app = appFor(database);
  const downApp = appFor(unreachable);
  server = http.createServer((req, res) =>
    req.headers['x-test-database'] === 'down' ? downApp(req, res) : app(req, res),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/messenger`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await queue?.close();
  redis?.disconnect();
  await unreachable?.close();
  await database?.close();
  await environment?.cleanup();
});

function postFixture(name: string, headers: Record<string, string> = {}): Promise<Response> {
  const body = fs.readFileSync(path.join(FIXTURES, name));
  const signature = `sha256=${crypto.createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
  return fetch(baseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature, ...headers },
    body,
  });
}

function storedMessages() {
  return database.db
    .selectFrom('inbound_messages')
    .select(['conversation_id', 'provider_message_id', 'seq', 'body_enc'])
    .where('channel', '=', 'messenger')
    .orderBy('id')
    .execute();
}

test('a batch of three messages from two users is stored once per mid, in order per user, encrypted and enqueued', async () => {
  const first = await postFixture('three-messages-two-users.json');
  expect(first.status).toBe(200);
  expect(await first.text()).toBe('EVENT_RECEIVED');
  const rows = await storedMessages();
  expect(rows.map((row) => row.provider_message_id).sort()).toEqual(['m_three_1', 'm_three_2', 'm_three_3']);

  const byMid = new Map(rows.map((row) => [row.provider_message_id, row]));
  expect(byMid.get('m_three_1')!.conversation_id).toBe(byMid.get('m_three_3')!.conversation_id);
  expect(byMid.get('m_three_2')!.conversation_id).not.toBe(byMid.get('m_three_1')!.conversation_id);
  expect(byMid.get('m_three_1')!.seq).toBeLessThan(byMid.get('m_three_3')!.seq);
  const keyRing = new KeyRing(TEST_PHI_KEYS);
  expect(byMid.get('m_three_3')!.body_enc).not.toContain('where do I park?');
  expect(keyRing.decrypt(byMid.get('m_three_3')!.body_enc!)).toBe('where do I park?');

  const jobs = await Promise.all(
    rows.map(async (row) => queue.getJob(`inbound-${(await idOf(row.provider_message_id))!}`)),
  );
  expect(jobs.every((job) => job !== undefined)).toBe(true);

  const again = await postFixture('three-messages-two-users.json');
  expect(again.status).toBe(200);
  expect(await storedMessages()).toHaveLength(3);
});

test('echoes are never stored; escaped non-ASCII is stored decoded', async () => {
  expect((await postFixture('batch-two-users-mixed-events.json')).status).toBe(200);
  expect((await postFixture('message-non-ascii-escaped.json')).status).toBe(200);
  const mids = (await storedMessages()).map((row) => row.provider_message_id);
  expect(mids).not.toContain('m_page_echo');
  expect(statusUpdates.map((update) => update.providerMessageId)).toEqual(['m_out_1', 'm_out_2']);
  expect(mids).toEqual(
    expect.arrayContaining(['m_user1_first', 'm_user1_postback', 'm_user1_third', 'm_user3_standby', 'm_non_ascii_1']),
  );
  const keyRing = new KeyRing(TEST_PHI_KEYS);
  const stored = (await storedMessages()).find((row) => row.provider_message_id === 'm_non_ascii_1')!;
  expect(keyRing.decrypt(stored.body_enc!)).toBe(
    '¿A qué hora abren el sábado? Café <gratis> 50% https://example.org/horario',
  );
});

test('a standby message (another app owns the thread) is stored once, already processed, and never enqueued', async () => {
  // Posted (with the rest of its batch) by the test above; delivered again here.
  expect((await postFixture('batch-two-users-mixed-events.json')).status).toBe(200);
  const rows = await database.db
    .selectFrom('inbound_messages')
    .select(['id', 'processed_at', 'body_enc'])
    .where('channel', '=', 'messenger')
    .where('provider_message_id', 'in', ['m_user3_standby', 'm_user1_first'])
    .orderBy('provider_message_id', 'desc')
    .execute();
  expect(rows).toHaveLength(2);
  const [standby, messaging] = rows;
  expect(standby!.processed_at).toBeInstanceOf(Date);
  expect(new KeyRing(TEST_PHI_KEYS).decrypt(standby!.body_enc!)).toBe('[attachment]');
  expect(await queue.getJob(`inbound-${standby!.id}`)).toBeUndefined();
  // A `messaging` message of the same batch is left for the bot.
  expect(messaging!.processed_at).toBeNull();
  expect(await queue.getJob(`inbound-${messaging!.id}`)).toBeDefined();
});

test('a database that cannot be reached answers 503, and the log has no PSID', async () => {
  const response = await postFixture('text-message.json', { 'x-test-database': 'down' });
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({ error: { code: 'unavailable', message: 'database unavailable' } });
  expect(logs.text()).not.toContain('7100000000000005');
});

async function idOf(providerMessageId: string): Promise<number | undefined> {
  const row = await database.db
    .selectFrom('inbound_messages')
    .select('id')
    .where('channel', '=', 'messenger')
    .where('provider_message_id', '=', providerMessageId)
    .executeTakeFirst();
  return row?.id;
}
