/**
 * The durable half of ingest, shared by every channel's webhook: store the inbound message once (unique per channel
 * and provider message id) in its conversation, then enqueue its processing. A duplicate delivery is acknowledged
 * and changes nothing.
 */
import type { Kysely } from 'kysely';
import type { Queue } from 'bullmq';
import type { Database } from '../db/schema';
import { normalizeDatabaseError } from '../errors';
import type { Language } from '../nlu/nlu-engine';
import { type ProcessInboundJobData, processInboundQueue } from '../queues/process-inbound-queue';
import type { Channel, ConversationRepository } from './conversation-repository';

export interface InboundToAccept {
  readonly conversationId: string;
  readonly channel: Channel;
  readonly providerMessageId: string;
  readonly text: string;
  readonly payload?: string;
}

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
  async acceptFrom(message: Omit<InboundToAccept, 'conversationId'> & { practiceId: string; address: string; language?: Language }) {
    const conversation = await this.openConversation(message.practiceId, message.channel, message.address, message.language);
    return this.accept({ ...message, conversationId: conversation.id });
  }

  async accept(message: InboundToAccept): Promise<AcceptedInbound> {
    const stored = await this.store(message);
    // Enqueued on duplicates too: if the first enqueue was lost, this repairs it (the job id makes it a no-op otherwise).
    await processInboundQueue.addJob(this.queue, { conversationId: message.conversationId, inboundMessageId: stored.id });
    return { inboundMessageId: stored.id, seq: stored.seq, duplicate: stored.duplicate };
  }

  private async store(message: InboundToAccept) {
    try {
      return await this.db.transaction().execute((trx) => this.repository.insertInbound(trx, message));
    } catch (error) {
      // Two deliveries raced past the duplicate check: the loser reads the winner's row.
      if ((error as { code?: string }).code === '23505') {
        const existing = await this.repository.findInboundByProviderId(this.db, message.channel, message.providerMessageId);
        if (existing) return { ...existing, duplicate: true };
      }
      throw normalizeDatabaseError(error);
    }
  }
}
