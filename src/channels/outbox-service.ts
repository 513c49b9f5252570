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
    const row = await this.db.selectFrom('outbound_messages').selectAll().where('id', '=', outboundMessageId).executeTakeFirst();
    if (!row || (row.status !== 'queued' && row.status !== 'sending')) return;
    const sender = this.senders.get(row.channel);
    if (!sender) {
      await this.setStatus(outboundMessageId, 'dead', 'no_sender');
      this.logger.error({ outboundMessageId, channel: row.channel }, 'no sender for channel');
      return;
    }
    await this.setStatus(outboundMessageId, 'sending');
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

  private async setStatus(id: number, status: OutboundStatus, errorCode?: string, providerMessageId?: string): Promise<void> {
    const entry = JSON.stringify([{ status, at: new Date().toISOString() }]);
    await this.db
      .updateTable('outbound_messages')
      .set({
        status,
        status_history: sql`status_history || ${entry}::jsonb`,
        updated_at: new Date(),
        ...(errorCode ? { last_error_code: errorCode } : {}),
        ...(providerMessageId ? { provider_message_id: providerMessageId } : {}),
      })
      .where('id', '=', id)
      .execute();
  }
}
