/**
 * Contacts, conversations and their messages. Every message has a per-conversation `seq` (inbound and outbound share
 * it) so a client can ask for everything after the last one it saw. Bodies are encrypted here and nowhere else.
 */
import { type Kysely, sql } from 'kysely';
import type { Conversation, Database } from '../db/schema';
import type { Language } from '../nlu/nlu-engine';
import type { KeyRing } from '../phi/key-ring';
import type { OutboundDraft, QuickReply } from './outbound-draft';

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

  /** The contact's open conversation on the channel, or a new one. */
  async findOrCreateOpenConversation(
    db: Kysely<Database>,
    practiceId: string,
    contactId: string,
    channel: Channel,
    language: Language | undefined,
  ): Promise<Conversation> {
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
  async allocateSeq(db: Kysely<Database>, conversationId: string, count: number, inbound = false): Promise<number> {
    const now = new Date();
    const row = await db
      .updateTable('conversations')
      .set({ last_seq: sql`last_seq + ${count}`, updated_at: now, ...(inbound ? { last_inbound_at: now } : {}) })
      .where('id', '=', conversationId)
      .returning('last_seq')
      .executeTakeFirstOrThrow();
    return row.last_seq - count + 1;
  }

  /**
   * Stores an inbound message once per (channel, provider id). Returns the row, and whether it was already there.
   */
  async insertInbound(
    db: Kysely<Database>,
    message: { conversationId: string; channel: Channel; providerMessageId: string; text: string; payload?: string },
  ): Promise<{ id: number; seq: number; duplicate: boolean }> {
    const existing = await this.findInboundByProviderId(db, message.channel, message.providerMessageId);
    if (existing) return { ...existing, duplicate: true };
    const seq = await this.allocateSeq(db, message.conversationId, 1, true);
    const row = await db
      .insertInto('inbound_messages')
      .values({
        conversation_id: message.conversationId,
        channel: message.channel,
        provider_message_id: message.providerMessageId,
        seq,
        body_enc: this.keyRing.encrypt(message.text),
        payload_enc: message.payload === undefined ? null : this.keyRing.encrypt(message.payload),
      })
      .returning(['id', 'seq'])
      .executeTakeFirstOrThrow();
    return { ...row, duplicate: false };
  }

  async findInboundByProviderId(db: Kysely<Database>, channel: Channel, providerMessageId: string): Promise<{ id: number; seq: number } | undefined> {
    return db
      .selectFrom('inbound_messages')
      .select(['id', 'seq'])
      .where('channel', '=', channel)
      .where('provider_message_id', '=', providerMessageId)
      .executeTakeFirst();
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
    drafts: readonly OutboundDraft[],
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
