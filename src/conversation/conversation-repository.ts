/**
 * Contacts, conversations and their messages. Every message has a per-conversation `seq` (inbound and outbound share
 * it) so a client can ask for everything after the last one it saw. Bodies are encrypted here and nowhere else.
 *
 * Storing an inbound message is one statement (webhooks acknowledge after it, so its round trips are the ingest
 * latency): find the conversation, skip a provider id seen before, take the next seq, insert. Creating a contact or a
 * conversation is the rare slow path and runs in its own transaction.
 */
import type { GatedDraft } from '../consent/phi-gate';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { PREPARED_STATEMENT } from '../db/prepared-statement-pool';
import type { Conversation, Database } from '../db/schema';
import type { Language } from '../nlu/nlu-engine';
import type { KeyRing } from '../phi/key-ring';
import type { QuickReply } from './outbound-draft';

export type Channel = 'webchat' | 'sms' | 'whatsapp' | 'messenger';

export interface TranscriptEntry {
  readonly seq: number;
  readonly role: 'patient' | 'bot' | 'staff';
  readonly text: string;
  /** The language a reply was written in (patient messages: unknown). */
  readonly lang?: Language;
  readonly quickReplies: readonly QuickReply[];
  readonly providerMessageId?: string;
  readonly at: Date;
}

/** An inbound message to store; `recordOnly` stores it already processed (kept for the transcript, never answered). */
export interface InboundToStore {
  readonly channel: Channel;
  readonly providerMessageId: string;
  readonly text: string;
  readonly payload?: string;
  readonly recordOnly?: boolean;
}

/** The stored row of an inbound message: new, or the one an earlier delivery of the same provider id stored. */
export interface StoredInbound {
  readonly id: number;
  readonly seq: number;
  readonly conversationId: string;
  readonly duplicate: boolean;
  /** Not processed yet: the turn processor still has to answer it. */
  readonly pending: boolean;
}

const UNIQUE_VIOLATION = '23505';

export class ConversationRepository {
  constructor(private readonly keyRing: KeyRing) {}

  /** The contact for a channel address, created on first sight. */
  async findOrCreateContact(db: Kysely<Database>, practiceId: string, channel: Channel, address: string): Promise<string> {
    const addressHash = this.keyRing.blindIndex(`contact:${channel}`, address);
    const inserted = await db
      .insertInto('contacts')
      .values({ practice_id: practiceId, channel, address_hash: addressHash, address_enc: this.keyRing.encrypt(address) })
      .onConflict((conflict) => conflict.columns(['practice_id', 'channel', 'address_hash']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return inserted.id;
    const existing = await db
      .selectFrom('contacts')
      .select('id')
      .where('practice_id', '=', practiceId)
      .where('channel', '=', channel)
      .where('address_hash', '=', addressHash)
      .executeTakeFirstOrThrow();
    return existing.id;
  }

  /** The contact's open conversation on the channel, or a new one. Run it in a transaction (it locks the contact). */
  async findOrCreateOpenConversation(
    db: Kysely<Database>,
    practiceId: string,
    contactId: string,
    channel: Channel,
    language: Language | undefined,
  ): Promise<Conversation> {
    // Holding the contact's row lock until commit makes concurrent first messages create one conversation, not two.
    await db.selectFrom('contacts').select('id').where('id', '=', contactId).forUpdate().execute();
    const open = await db
      .selectFrom('conversations')
      .selectAll()
      .where('contact_id', '=', contactId)
      .where('channel', '=', channel)
      .where('state', '!=', 'closed')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (open) return open;
    return db
      .insertInto('conversations')
      .values({ practice_id: practiceId, contact_id: contactId, channel, language: language ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async getConversation(db: Kysely<Database>, conversationId: string): Promise<Conversation | undefined> {
    return db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirst();
  }

  /** Locks the conversation row for this transaction and returns it. */
  async lockConversation(db: Kysely<Database>, conversationId: string): Promise<Conversation> {
    return db.selectFrom('conversations').selectAll().where('id', '=', conversationId).forUpdate().executeTakeFirstOrThrow();
  }

  /** Takes the next `count` seq numbers of a conversation; returns the first. */
  async allocateSeq(db: Kysely<Database>, conversationId: string, count: number): Promise<number> {
    const row = await db
      .updateTable('conversations')
      .set({ last_seq: sql`last_seq + ${count}`, updated_at: new Date() })
      .where('id', '=', conversationId)
      .returning('last_seq')
      .executeTakeFirstOrThrow();
    return row.last_seq - count + 1;
  }

  /**
   * Stores an inbound message in the open conversation of a channel address, once per (channel, provider id).
   * Undefined when the address has no contact or no open conversation yet (nothing is written then).
   */
  async insertInboundFromAddress(
    db: Kysely<Database>,
    message: InboundToStore & { practiceId: string; address: string },
  ): Promise<StoredInbound | undefined> {
    const addressHash = this.keyRing.blindIndex(`contact:${message.channel}`, message.address);
    const openConversation = sql`
      select conversations.id from conversations
      join contacts on contacts.id = conversations.contact_id
      where contacts.practice_id = ${message.practiceId} and contacts.channel = ${message.channel}
        and contacts.address_hash = ${addressHash}
        and conversations.channel = ${message.channel} and conversations.state <> 'closed'
      order by conversations.created_at desc
      limit 1`;
    return this.storeInbound(db, openConversation, message);
  }

  /** Stores an inbound message in a known conversation, once per (channel, provider id). */
  async insertInbound(db: Kysely<Database>, message: InboundToStore & { conversationId: string }): Promise<StoredInbound> {
    const stored = await this.storeInbound(db, sql`select ${message.conversationId}::uuid`, message);
    if (!stored) throw new Error('the conversation of an inbound message does not exist');
    return stored;
  }

  /**
   * One statement, so one round trip and atomic without a transaction: a provider id stored before returns that row
   * and writes nothing; otherwise the conversation's next seq is taken (its row lock orders concurrent messages of
   * one conversation) and the message inserted. Two deliveries racing past the duplicate check: the later one's
   * insert violates the unique (channel, provider id), the whole statement is undone, and the earlier row is returned
   * (so it must not run inside a transaction). Prepared: it is the hot path of every webhook.
   */
  private async storeInbound(
    db: Kysely<Database>,
    conversationId: RawBuilder<unknown>,
    message: InboundToStore,
  ): Promise<StoredInbound | undefined> {
    const body = this.keyRing.encrypt(message.text);
    const payload = message.payload === undefined ? null : this.keyRing.encrypt(message.payload);
    const processedAt = message.recordOnly ? sql`now()` : sql`null`;
    try {
      const { rows } = await sql<StoredInboundRow>`${sql.raw(PREPARED_STATEMENT)}
        with earlier as (
          select id, seq, conversation_id, processed_at from inbound_messages
          where channel = ${message.channel} and provider_message_id = ${message.providerMessageId}
        ),
        allocated as (
          update conversations set last_seq = last_seq + 1, last_inbound_at = now(), updated_at = now()
          where id = (${conversationId}) and not exists (select 1 from earlier)
          returning id, last_seq
        ),
        inserted as (
          insert into inbound_messages (conversation_id, channel, provider_message_id, seq, body_enc, payload_enc, processed_at)
          select id, ${message.channel}, ${message.providerMessageId}, last_seq, ${body}, ${payload}, ${processedAt}
          from allocated
          returning id, seq, conversation_id, processed_at
        )
        select id, seq, conversation_id, processed_at is null as pending, false as duplicate from inserted
        union all
        select id, seq, conversation_id, processed_at is null as pending, true as duplicate from earlier
      `.execute(db);
      return rows[0] && storedInboundOf(rows[0]);
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      const earlier = await this.findInboundByProviderId(db, message.channel, message.providerMessageId);
      if (!earlier) throw error;
      return earlier;
    }
  }

  async findInboundByProviderId(db: Kysely<Database>, channel: Channel, providerMessageId: string): Promise<StoredInbound | undefined> {
    const row = await db
      .selectFrom('inbound_messages')
      .select(['id', 'seq', 'conversation_id', sql<boolean>`processed_at is null`.as('pending')])
      .where('channel', '=', channel)
      .where('provider_message_id', '=', providerMessageId)
      .executeTakeFirst();
    return row && storedInboundOf({ ...row, duplicate: true });
  }

  /** The oldest unprocessed inbound message of a conversation, locked for this transaction. */
  async nextUnprocessedInbound(db: Kysely<Database>, conversationId: string) {
    const row = await db
      .selectFrom('inbound_messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('processed_at', 'is', null)
      .orderBy('id')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      text: row.body_enc === null ? '' : this.keyRing.decrypt(row.body_enc),
      payload: row.payload_enc === null ? undefined : this.keyRing.decrypt(row.payload_enc),
    };
  }

  async markInboundProcessed(db: Kysely<Database>, inboundMessageId: number): Promise<void> {
    await db.updateTable('inbound_messages').set({ processed_at: new Date() }).where('id', '=', inboundMessageId).execute();
  }

  /** Writes drafts as queued outbound rows with consecutive seq numbers; returns their ids in order. */
  async insertOutbound(
    db: Kysely<Database>,
    conversation: Pick<Conversation, 'id' | 'channel'>,
    inboundMessageId: number | null,
    drafts: readonly GatedDraft[],
    language: Language,
  ): Promise<number[]> {
    if (drafts.length === 0) return [];
    const firstSeq = await this.allocateSeq(db, conversation.id, drafts.length);
    const now = new Date().toISOString();
    const rows = await db
      .insertInto('outbound_messages')
      .values(
        drafts.map((draft, index) => ({
          conversation_id: conversation.id,
          inbound_message_id: inboundMessageId,
          channel: conversation.channel,
          seq: firstSeq + index,
          classification: draft.classification,
          author: draft.author ?? 'bot',
          language,
          body_enc: this.keyRing.encrypt(draft.text),
          quick_replies_enc: draft.quickReplies.length > 0 ? this.keyRing.encryptJson(draft.quickReplies) : null,
          status_history: JSON.stringify([{ status: 'queued', at: now }]),
        })),
      )
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  /** The quick replies of the conversation's latest outbound message (none when it had none). */
  async latestQuickReplies(db: Kysely<Database>, conversationId: string): Promise<QuickReply[]> {
    const row = await db
      .selectFrom('outbound_messages')
      .select('quick_replies_enc')
      .where('conversation_id', '=', conversationId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.quick_replies_enc ? this.keyRing.decryptJson<QuickReply[]>(row.quick_replies_enc) : [];
  }

  /** Inbound and outbound messages after `afterSeq`, in seq order. */
  async transcriptSince(db: Kysely<Database>, conversationId: string, afterSeq: number, limit = 500): Promise<TranscriptEntry[]> {
    const inbound = await db
      .selectFrom('inbound_messages')
      .select(['seq', 'body_enc', 'provider_message_id', 'received_at'])
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    const outbound = await db
      .selectFrom('outbound_messages')
      .select(['seq', 'author', 'language', 'body_enc', 'quick_replies_enc', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    const entries: TranscriptEntry[] = [
      ...inbound.map((row) => ({
        seq: row.seq,
        role: 'patient' as const,
        text: row.body_enc === null ? '' : this.keyRing.decrypt(row.body_enc),
        quickReplies: [],
        providerMessageId: row.provider_message_id,
        at: row.received_at,
      })),
      ...outbound.map((row) => ({
        seq: row.seq,
        role: row.author === 'staff' ? ('staff' as const) : ('bot' as const),
        ...(row.language ? { lang: row.language } : {}),
        text: row.body_enc === null ? '' : this.keyRing.decrypt(row.body_enc),
        quickReplies: row.quick_replies_enc === null ? [] : this.keyRing.decryptJson<QuickReply[]>(row.quick_replies_enc),
        at: row.created_at,
      })),
    ];
    return entries.sort((a, b) => a.seq - b.seq).slice(0, limit);
  }
}

interface StoredInboundRow {
  id: number;
  seq: number;
  conversation_id: string;
  pending: boolean;
  duplicate: boolean;
}

function storedInboundOf(row: StoredInboundRow): StoredInbound {
  return { id: row.id, seq: row.seq, conversationId: row.conversation_id, duplicate: row.duplicate, pending: row.pending };
}
