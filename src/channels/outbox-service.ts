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
import type { ChannelSender } from './channel-sender';

export class OutboxService {
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
    const result = await sender.send({
      outboundMessageId,
      conversationId: row.conversation_id,
      seq: row.seq,
      text: row.body_enc === null ? '' : this.keyRing.decrypt(row.body_enc),
      quickReplies: row.quick_replies_enc === null ? [] : this.keyRing.decryptJson<QuickReply[]>(row.quick_replies_enc),
    });
    await this.setStatus(outboundMessageId, result.status, undefined, result.providerMessageId);
    this.metrics.sends.inc({ channel: row.channel, status: result.status });
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
      .returning(['channel', 'conversation_id', 'seq', 'body_enc', 'quick_replies_enc'])
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
