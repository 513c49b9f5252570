/**
 * Delivers outbox rows through their channel's sender. A row moves queued → sending → sent; a row no longer queued
 * is not sent again, so a repeated job never sends twice. Failures are left to the queue's retries with backoff.
 */
import { type Kysely, sql } from 'kysely';
import type { QuickReply } from '../conversation/outbound-draft';
import type { Database, OutboundStatus } from '../db/schema';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { KeyRing } from '../phi/key-ring';
import type { Channel } from '../conversation/conversation-repository';
import { isOptedOut, recordOptOut } from '../compliance/opt-out-registry';
import { type ChannelSender, type OutboundToSend, type ProviderStatusSink, SendError } from './channel-sender';

/** Provider statuses in the order a message moves through them; the last three are final. */
const STATUS_RANK: Readonly<Record<string, number>> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
  undelivered: 5,
  canceled: 5,
  dead: 5,
};

export class OutboxService implements ProviderStatusSink {
  private readonly senders: ReadonlyMap<string, ChannelSender>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyRing: KeyRing,
    senders: readonly ChannelSender[],
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.senders = new Map(senders.map((sender) => [sender.channel, sender]));
  }

  async deliver(outboundMessageId: number): Promise<void> {
    const row = await this.claim(outboundMessageId);
    if (!row) return;
    const sender = this.senders.get(row.channel);
    if (!sender) {
      await this.setStatus(outboundMessageId, 'dead', 'no_sender');
      this.logger.error({ outboundMessageId, channel: row.channel }, 'no sender for channel');
      return;
    }
    const message = await this.messageToSend(outboundMessageId, row);
    if (message.channel !== 'webchat' && message.author !== 'system' && (await isOptedOut(this.db, message.contactId))) {
      // Nothing automated or staff-written reaches an opted-out contact; compliance replies (author system) do.
      await this.setStatus(outboundMessageId, 'failed', 'opted_out');
      this.metrics.sends.inc({ channel: row.channel, status: 'suppressed' });
      return;
    }
    try {
      const result = await sender.send(message);
      await this.setStatus(outboundMessageId, result.status, undefined, result.providerMessageId);
      this.metrics.sends.inc({ channel: row.channel, status: result.status });
    } catch (error) {
      if (!(error instanceof SendError) || error.kind === 'transient') throw error;
      // Permanent: retrying the same request cannot succeed.
      await this.setStatus(outboundMessageId, 'failed', error.providerCode ?? error.kind);
      if (error.kind === 'opted_out') await recordOptOut(this.db, message.contactId, message.channel, true, 'provider');
      this.metrics.sends.inc({ channel: row.channel, status: 'failed' });
      this.logger.warn({ outboundMessageId, channel: row.channel, kind: error.kind, code: error.providerCode }, 'send failed permanently');
    }
  }

  /**
   * A provider's status callback. Statuses only move forward (a late "sent" never overwrites "delivered"); a
   * callback for a message we do not know, or a repeat, changes nothing. 21610 records the opt-out.
   */
  async recordProviderStatus(update: Parameters<ProviderStatusSink['recordProviderStatus']>[0]): Promise<void> {
    const row = await this.db
      .selectFrom('outbound_messages')
      .innerJoin('conversations', 'conversations.id', 'outbound_messages.conversation_id')
      .select(['outbound_messages.id', 'outbound_messages.status', 'conversations.contact_id'])
      .where('outbound_messages.channel', '=', update.channel)
      .where('outbound_messages.provider_message_id', '=', update.providerMessageId)
      .executeTakeFirst();
    const rank = STATUS_RANK[update.status];
    if (!row || rank === undefined || rank <= (STATUS_RANK[row.status] ?? 0) || (STATUS_RANK[row.status] ?? 0) >= 5) return;
    await this.db
      .updateTable('outbound_messages')
      .set({
        status: update.status === 'canceled' ? 'failed' : update.status,
        status_history: historyWith(update.status === 'canceled' ? 'failed' : update.status),
        updated_at: new Date(),
        ...(update.errorCode ? { last_error_code: update.errorCode } : {}),
      })
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .execute();
    if (update.errorCode === '21610') await recordOptOut(this.db, row.contact_id, update.channel, true, 'provider');
  }

  /** After the last retry of a transient failure: the message is dead-lettered, visible to staff. */
  async markDead(outboundMessageId: number, reason: string): Promise<void> {
    await this.setStatus(outboundMessageId, 'dead', reason);
    this.logger.error({ outboundMessageId, reason }, 'outbound message dead-lettered');
  }

  private async messageToSend(
    outboundMessageId: number,
    row: NonNullable<Awaited<ReturnType<OutboxService['claim']>>>,
  ): Promise<OutboundToSend & { contactId: string }> {
    const conversation = await this.db
      .selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .select(['contacts.id as contact_id', 'contacts.address_enc', 'conversations.last_inbound_at', 'conversations.language'])
      .where('conversations.id', '=', row.conversation_id)
      .executeTakeFirstOrThrow();
    return {
      outboundMessageId,
      contactId: conversation.contact_id,
      conversationId: row.conversation_id,
      channel: row.channel as Channel,
      seq: row.seq,
      recipient: this.keyRing.decrypt(conversation.address_enc),
      text: row.body_enc === null ? '' : this.keyRing.decrypt(row.body_enc),
      quickReplies: row.quick_replies_enc === null ? [] : this.keyRing.decryptJson<QuickReply[]>(row.quick_replies_enc),
      author: row.author,
      lang: row.language ?? conversation.language ?? 'en',
      lastInboundAt: conversation.last_inbound_at,
    };
  }

  /**
   * Moves a queued row to `sending` and returns it; undefined when it is already past that. A row left in
   * `sending` by a worker that died is claimed again (its send may or may not have happened).
   */
  private async claim(id: number) {
    return this.db
      .updateTable('outbound_messages')
      .set({ status: 'sending', status_history: historyWith('sending'), updated_at: new Date() })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'sending'])
      .returning(['channel', 'conversation_id', 'seq', 'author', 'language', 'body_enc', 'quick_replies_enc'])
      .executeTakeFirst();
  }

  private async setStatus(id: number, status: OutboundStatus, errorCode?: string, providerMessageId?: string): Promise<void> {
    await this.db
      .updateTable('outbound_messages')
      .set({
        status,
        status_history: historyWith(status),
        updated_at: new Date(),
        ...(errorCode ? { last_error_code: errorCode } : {}),
        ...(providerMessageId ? { provider_message_id: providerMessageId } : {}),
      })
      .where('id', '=', id)
      .execute();
  }
}

/** status_history with one more entry, appended in SQL so concurrent updates never lose one. */
function historyWith(status: OutboundStatus) {
  return sql<never>`status_history || ${JSON.stringify([{ status, at: new Date().toISOString() }])}::jsonb`;
}
