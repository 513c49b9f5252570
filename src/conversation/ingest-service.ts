/**
 * The durable half of ingest, shared by every channel's webhook: store the inbound message once (unique per channel
 * and provider message id) in its conversation, then enqueue its processing. A duplicate delivery is acknowledged
 * and changes nothing. A message from a known address is stored in one database round trip; the first message of an
 * address (or after its conversation closed) creates the contact and conversation first.
 */
import type { Kysely } from 'kysely';
import type { Queue } from 'bullmq';
import type { Database } from '../db/schema';
import { normalizeDatabaseError } from '../errors';
import type { Language } from '../nlu/nlu-engine';
import { type ProcessInboundJobData, processInboundQueue } from '../queues/process-inbound-queue';
import type { Channel, ConversationRepository, StoredInbound } from './conversation-repository';

export interface InboundToAccept {
  readonly conversationId: string;
  readonly channel: Channel;
  readonly providerMessageId: string;
  readonly text: string;
  readonly payload?: string;
  /**
   * Record the message without answering it: stored already processed and never enqueued, so the turn processor
   * (which drains unprocessed rows) never sees it. For messages of a thread another app owns (Messenger `standby`).
   */
  readonly recordOnly?: boolean;
}

/** A message from a channel address (SMS, WhatsApp, Messenger): its conversation is found, or opened, by address. */
export type InboundFromAddress = Omit<InboundToAccept, 'conversationId'> & {
  readonly practiceId: string;
  readonly address: string;
  /** The language of a conversation this message opens. */
  readonly language?: Language;
};

export interface AcceptedInbound {
  readonly inboundMessageId: number;
  readonly seq: number;
  readonly duplicate: boolean;
}

export class IngestService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly repository: ConversationRepository,
    private readonly queue: Queue<ProcessInboundJobData>,
  ) {}

  /** Opens (or finds) the conversation of a channel address. */
  async openConversation(practiceId: string, channel: Channel, address: string, language?: Language) {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const contactId = await this.repository.findOrCreateContact(trx, practiceId, channel, address);
        return this.repository.findOrCreateOpenConversation(trx, practiceId, contactId, channel, language);
      });
    } catch (error) {
      throw normalizeDatabaseError(error);
    }
  }

  /** For channels where the address arrives with each message (SMS, WhatsApp, Messenger). */
  async acceptFrom(message: InboundFromAddress): Promise<AcceptedInbound> {
    const stored =
      (await this.store(() => this.repository.insertInboundFromAddress(this.db, message))) ??
      (await this.acceptInNewConversation(message));
    return this.enqueuePending(stored);
  }

  async accept(message: InboundToAccept): Promise<AcceptedInbound> {
    return this.enqueuePending(await this.store(() => this.repository.insertInbound(this.db, message)));
  }

  /** The slow path: no open conversation for the address yet. */
  private async acceptInNewConversation(message: InboundFromAddress): Promise<StoredInbound> {
    const conversation = await this.openConversation(message.practiceId, message.channel, message.address, message.language);
    return this.store(() => this.repository.insertInbound(this.db, { ...message, conversationId: conversation.id }));
  }

  /**
   * Enqueued whenever the row is still unprocessed, duplicates included: if the first enqueue was lost, this repairs
   * it (the job id makes it a no-op otherwise). A message recorded as processed is never enqueued.
   */
  private async enqueuePending(stored: StoredInbound): Promise<AcceptedInbound> {
    if (stored.pending) {
      await processInboundQueue.addJob(this.queue, { conversationId: stored.conversationId, inboundMessageId: stored.id });
    }
    return { inboundMessageId: stored.id, seq: stored.seq, duplicate: stored.duplicate };
  }

  private async store<T>(insert: () => Promise<T>): Promise<T> {
    try {
      return await insert();
    } catch (error) {
      throw normalizeDatabaseError(error);
    }
  }
}
