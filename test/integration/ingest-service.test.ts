/**
 * IngestService on both databases (the machine's PostgreSQL and embedded PGlite) with the real queue on Redis:
 * a message is stored once per (channel, provider id) with the next seq of its conversation and enqueued while it is
 * unprocessed; a record-only message is stored already processed and never enqueued; a closed conversation is
 * followed by a new one; on PostgreSQL, concurrent first messages from one address make one contact and one
 * conversation.
 */
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ConversationRepository } from '../../src/conversation/conversation-repository';
import { IngestService } from '../../src/conversation/ingest-service';
import type { DatabaseHandle } from '../../src/db/open-database';
import { prepareDatabase } from '../../src/db/prepare-database';
import { createLogger } from '../../src/observability/logger';
import { KeyRing } from '../../src/phi/key-ring';
import { DEMO_PRACTICE_ID } from '../../src/practice/demo-practice';
import { type ProcessInboundJobData, processInboundQueue } from '../../src/queues/process-inbound-queue';
import { TEST_PHI_KEYS, TEST_REDIS_URL, type TestEnvironment, createTestEnvironment } from '../support/test-config';

const KINDS = ['postgres', 'pglite'] as const;
type Kind = (typeof KINDS)[number];

interface Setup {
  readonly environment: TestEnvironment;
  readonly database: DatabaseHandle;
  readonly queue: Queue<ProcessInboundJobData>;
  readonly ingest: IngestService;
}

const keyRing = new KeyRing(TEST_PHI_KEYS);
const setups = new Map<Kind, Setup>();
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  for (const kind of KINDS) {
    const environment = await createTestEnvironment(kind);
    const database = await prepareDatabase(environment.config, createLogger('silent'));
    const queue = processInboundQueue.createQueue({ connection: redis, prefix: environment.config.QUEUE_PREFIX });
    const ingest = new IngestService(database.db, new ConversationRepository(keyRing), queue);
    setups.set(kind, { environment, database, queue, ingest });
  }
}, 60_000);

afterAll(async () => {
  for (const { environment, database, queue } of setups.values()) {
    await queue.close();
    await database.close();
    await environment.cleanup();
  }
  redis?.disconnect();
});

const setupOf = (kind: Kind) => setups.get(kind)!;

function sms(address: string, providerMessageId: string, text = 'what are your hours?') {
  return { practiceId: DEMO_PRACTICE_ID, channel: 'sms' as const, address, providerMessageId, text };
}

async function storedRow(kind: Kind, inboundMessageId: number) {
  return setupOf(kind)
    .database.db.selectFrom('inbound_messages')
    .innerJoin('conversations', 'conversations.id', 'inbound_messages.conversation_id')
    .select([
      'inbound_messages.seq',
      'inbound_messages.processed_at',
      'inbound_messages.body_enc',
      'inbound_messages.conversation_id',
      'conversations.contact_id',
      'conversations.last_seq',
      'conversations.last_inbound_at',
    ])
    .where('inbound_messages.id', '=', inboundMessageId)
    .executeTakeFirstOrThrow();
}

describe.each(KINDS)('%s', (kind) => {
  test('a message is stored once, encrypted, with the next seq, and enqueued; a redelivery is a duplicate', async () => {
    const { ingest, queue } = setupOf(kind);
    const first = await ingest.acceptFrom(sms('+15555550140', 'SM-ingest-1'));
    const second = await ingest.acceptFrom(sms('+15555550140', 'SM-ingest-2', 'and on Saturday?'));
    const again = await ingest.acceptFrom(sms('+15555550140', 'SM-ingest-1'));

    expect(first).toMatchObject({ seq: 1, duplicate: false });
    expect(second).toMatchObject({ seq: 2, duplicate: false });
    expect(again).toEqual({ ...first, duplicate: true });
    const row = await storedRow(kind, second.inboundMessageId);
    expect(row).toMatchObject({ seq: 2, last_seq: 2, processed_at: null });
    expect(row.last_inbound_at).toBeInstanceOf(Date);
    expect(row.body_enc).not.toContain('Saturday');
    expect(keyRing.decrypt(row.body_enc!)).toBe('and on Saturday?');
    expect((await storedRow(kind, first.inboundMessageId)).conversation_id).toBe(row.conversation_id);
    for (const accepted of [first, second]) {
      const job = await queue.getJob(`inbound-${accepted.inboundMessageId}`);
      expect(job?.data).toEqual({ conversationId: row.conversation_id, inboundMessageId: accepted.inboundMessageId });
    }
  });

  test('a record-only message is stored processed, in seq order, and never enqueued, even when delivered again', async () => {
    const { ingest, queue } = setupOf(kind);
    const answered = await ingest.acceptFrom(sms('+15555550141', 'SM-record-1'));
    const recorded = await ingest.acceptFrom({ ...sms('+15555550141', 'SM-record-2'), recordOnly: true });
    const again = await ingest.acceptFrom({ ...sms('+15555550141', 'SM-record-2'), recordOnly: true });

    expect(recorded).toMatchObject({ seq: answered.seq + 1, duplicate: false });
    expect(again).toEqual({ ...recorded, duplicate: true });
    expect((await storedRow(kind, recorded.inboundMessageId)).processed_at).toBeInstanceOf(Date);
    expect(await queue.getJob(`inbound-${recorded.inboundMessageId}`)).toBeUndefined();
    expect(await queue.getJob(`inbound-${answered.inboundMessageId}`)).toBeDefined();
  });

  test('messages into a known conversation (web chat) share its seqs and dedupe the same way', async () => {
    const { ingest } = setupOf(kind);
    const conversation = await ingest.openConversation(DEMO_PRACTICE_ID, 'webchat', 'visitor-ingest-1', 'es');
    const message = { conversationId: conversation.id, channel: 'webchat' as const, text: 'hola' };
    const first = await ingest.accept({ ...message, providerMessageId: 'visitor-ingest-1:1' });
    const second = await ingest.accept({ ...message, providerMessageId: 'visitor-ingest-1:2' });
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(await ingest.accept({ ...message, providerMessageId: 'visitor-ingest-1:1' })).toEqual({ ...first, duplicate: true });
    expect(conversation.language).toBe('es');
  });

  test('after the conversation closed, the next message opens a new one for the same contact', async () => {
    const { ingest, database } = setupOf(kind);
    const before = await storedRow(kind, (await ingest.acceptFrom(sms('+15555550142', 'SM-closed-1'))).inboundMessageId);
    await database.db.updateTable('conversations').set({ state: 'closed' }).where('id', '=', before.conversation_id).execute();
    const after = await storedRow(kind, (await ingest.acceptFrom(sms('+15555550142', 'SM-closed-2'))).inboundMessageId);
    expect(after.conversation_id).not.toBe(before.conversation_id);
    expect(after.contact_id).toBe(before.contact_id);
    expect(after.seq).toBe(1);
  });
});

test('postgres: concurrent first messages from one new address make one contact and one conversation', async () => {
  const { ingest, database } = setupOf('postgres');
  const accepted = await Promise.all(
    Array.from({ length: 8 }, (_, index) => ingest.acceptFrom(sms('+15555550143', `SM-race-${index}`))),
  );
  const rows = await Promise.all(accepted.map((message) => storedRow('postgres', message.inboundMessageId)));
  expect(new Set(rows.map((row) => row.contact_id)).size).toBe(1);
  expect(new Set(rows.map((row) => row.conversation_id)).size).toBe(1);
  expect(rows.map((row) => row.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  const conversations = await database.db
    .selectFrom('conversations')
    .select('id')
    .where('contact_id', '=', rows[0]!.contact_id)
    .execute();
  expect(conversations).toHaveLength(1);
});

test('postgres: the same new message delivered eight times at once is stored once (three rounds)', async () => {
  const { ingest } = setupOf('postgres');
  await ingest.acceptFrom(sms('+15555550144', 'SM-same-0'));
  // The conversation exists, so all eight race in the one-statement path; the losers read the winner's row.
  for (const round of [1, 2, 3]) {
    const deliveries = Array.from({ length: 8 }, () => ingest.acceptFrom(sms('+15555550144', `SM-same-${round}`)));
    const accepted = await Promise.all(deliveries);
    expect(new Set(accepted.map((message) => message.inboundMessageId)).size).toBe(1);
    expect(accepted.filter((message) => !message.duplicate)).toHaveLength(1);
    expect(accepted[0]!.seq).toBe(round + 1);
  }
});
