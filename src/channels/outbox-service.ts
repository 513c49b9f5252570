/**
 * Delivers outbox rows through their channel's sender, each conversation's messages in order. One job per row: a
 * row waits while an earlier message of its conversation is still in line, and whoever sends a message sends the
 * ones queued behind it too. A row is claimed (queued → sending) before the provider is called, so a repeated job
 * never sends it twice; a row found in `sending` waits for that attempt to settle (a Twilio status callback names
 * our outbound id, so it settles even a send whose worker died) and is sent again only if nothing settles it. Transient failures are left to the
 * queue's retries with backoff; permanent ones are recorded. Automated messages that are not replies wait for
 * daytime; on WhatsApp outside the 24 h window a template invites the patient to reply and the message waits for it.
 */
import type { Kysely } from 'kysely';
import type { QuickReply } from '../conversation/outbound-draft';
import type { Database } from '../db/schema';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { KeyRing } from '../phi/key-ring';
import type { Channel } from '../conversation/conversation-repository';
import type { ConsentLedger } from '../consent/consent-ledger';
import type { GatedMessage, PhiGate } from '../consent/phi-gate';
import { isOptedOut, recordOptOut } from '../consent/opt-out-registry';
import { type SendingHours, nextSendingTime } from '../compliance/quiet-hours';
import { RetryLater } from '../queues/job-queue';
import { type ChannelSender, type ProviderStatusSink, SendError, isWithinWindow } from './channel-sender';
import * as rows from './outbox-rows';

/** Longer than any provider call may take (Twilio's timeout is 15 s), so a live attempt is never repeated. */
export const DEFAULT_RECONCILE_MS = 30_000;
/** How often a row waiting behind an earlier message, or for an unsettled attempt, looks again. */
const WAIT_RETRY_MS = 250;
const RECONCILE_RETRY_MS = 1_000;
/** Channels where automated messages respect quiet hours. */
const QUIET_HOURS_CHANNELS: ReadonlySet<string> = new Set(['sms', 'whatsapp']);

export interface OutboxOptions {
  /** When automated messages that are not replies may reach a practice's patients. */
  readonly sendingHours: (practiceId: string) => Promise<SendingHours>;
  /** Where opt-outs reported by the provider are recorded. */
  readonly consent: ConsentLedger;
  /** Releases each message to its sender; PHI whose consent was revoked since it was written stays behind. */
  readonly gate: PhiGate;
  readonly now?: () => Date;
  /** How long an interrupted send waits for the provider's callback before it is sent again. */
  readonly reconcileMs?: number;
}

type MessageToSend = GatedMessage & { readonly contactId: string; readonly practiceId: string };

export class OutboxService implements ProviderStatusSink {
  private readonly senders: ReadonlyMap<string, ChannelSender>;
  private readonly now: () => Date;
  private readonly reconcileMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyRing: KeyRing,
    senders: readonly ChannelSender[],
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly options: OutboxOptions,
  ) {
    this.senders = new Map(senders.map((sender) => [sender.channel, sender]));
    this.now = options.now ?? (() => new Date());
    this.reconcileMs = options.reconcileMs ?? DEFAULT_RECONCILE_MS;
  }

  /** The send job of one row. Throws to have the job retried (transient failure) or rescheduled (RetryLater). */
  async deliver(outboundMessageId: number): Promise<void> {
    const row = await rows.findRow(this.db, outboundMessageId);
    if (!row || !rows.IN_LINE.includes(row.status)) return;
    if (await rows.hasEarlierInLine(this.db, row)) {
      throw new RetryLater(WAIT_RETRY_MS, 'an earlier message of the conversation is still in line');
    }
    if (row.status === 'sending') this.checkReconciled(row);
    const claimed = await rows.claim(this.db, row);
    if (!claimed) return;
    await this.attempt(claimed);
    await this.sendQueuedBehind(row.conversation_id);
  }

  /**
   * A provider's status callback. Statuses only move forward (a late "sent" never overwrites "delivered"); a repeat
   * changes nothing. A callback naming our outbound id settles a send whose answer we never got. 21610 records
   * the opt-out.
   */
  async recordProviderStatus(update: Parameters<ProviderStatusSink['recordProviderStatus']>[0]): Promise<void> {
    const row = await this.findByProviderStatus(update);
    if (!row) return;
    const status = update.status === 'canceled' ? 'failed' : update.status === 'queued' || update.status === 'sending' ? 'accepted' : update.status;
    const current = rows.STATUS_RANK[row.status] ?? rows.FINAL_RANK;
    const forward = (rows.STATUS_RANK[status] ?? 0) > current && current < rows.FINAL_RANK;
    if (!forward && row.provider_message_id !== null) return;
    await this.db
      .updateTable('outbound_messages')
      .set({
        provider_message_id: update.providerMessageId,
        updated_at: new Date(),
        ...(forward ? { status, status_history: rows.historyWith(status) } : {}),
        ...(forward && update.errorCode ? { last_error_code: update.errorCode } : {}),
      })
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .execute();
    if (update.errorCode === '21610') await this.recordProviderOptOut({ practiceId: row.practice_id, contactId: row.contact_id, channel: update.channel, outboundMessageId: row.id });
  }

  /** After the last retry of a transient failure: the message is dead-lettered, visible to staff. */
  async markDead(outboundMessageId: number, reason: string): Promise<void> {
    await rows.fail(this.db, outboundMessageId, 'dead', reason);
    this.logger.error({ outboundMessageId, reason }, 'outbound message dead-lettered');
  }

  /**
   * A row found in `sending` was claimed by an attempt that has not settled: another worker may still be in the
   * provider call, or a worker died mid-call. Wait out the reconcile window (longer than any provider call), during
   * which the attempt settles or, for Twilio, the status callback naming our id settles it; after that, send again
   * (for a provider without such callbacks, a send that did reach it before the crash is then repeated).
   */
  private checkReconciled(row: rows.OutboxRow): void {
    if (!row.claimed_at) return;
    // Elapsed wall-clock time (claims are stamped with it), not the business clock that quiet hours use.
    const waitMs = row.claimed_at.getTime() + this.reconcileMs - Date.now();
    if (waitMs > 0) throw new RetryLater(Math.min(waitMs, RECONCILE_RETRY_MS), 'waiting for an unsettled send attempt');
    this.logger.warn({ outboundMessageId: row.id, channel: row.channel }, 'an interrupted send never settled; sending it again');
  }

  /** Sends what is queued behind a message just sent; a failure there is left to that row's own job. */
  private async sendQueuedBehind(conversationId: string): Promise<void> {
    for (;;) {
      const next = await rows.firstInLine(this.db, conversationId);
      if (!next || next.status !== 'queued') return;
      const claimed = await rows.claim(this.db, { id: next.id, status: 'queued', claimed_at: null });
      if (!claimed) return;
      try {
        await this.attempt(claimed);
      } catch (error) {
        this.logger.warn({ err: error, outboundMessageId: next.id }, 'send failed; its own job retries it');
        return;
      }
    }
  }

  /** One claimed row: suppress, hold, nudge or send, and record the outcome. */
  private async attempt(row: rows.ClaimedRow): Promise<void> {
    const sender = this.senders.get(row.channel);
    if (!sender) {
      await rows.fail(this.db, row.id, 'dead', 'no_sender');
      this.logger.error({ outboundMessageId: row.id, channel: row.channel }, 'no sender for channel');
      return;
    }
    const message = await this.messageToSend(row);
    if (!message) {
      await rows.fail(this.db, row.id, 'failed', 'phi_withheld');
      this.metrics.sends.inc({ channel: row.channel, status: 'suppressed' });
      this.logger.warn({ outboundMessageId: row.id, channel: row.channel }, 'PHI no longer allowed on this channel; not sent');
      return;
    }
    if (message.channel !== 'webchat' && message.author !== 'system' && (await isOptedOut(this.db, message.contactId, message.channel))) {
      // Nothing automated or staff-written reaches an opted-out contact; compliance replies (author system) do.
      await rows.fail(this.db, row.id, 'failed', 'opted_out');
      this.metrics.sends.inc({ channel: row.channel, status: 'suppressed' });
      return;
    }
    if (await this.heldForQuietHours(row, message)) return;
    try {
      if (sender.sendWindowNudge && !isWithinWindow(sender.capabilities, message.lastInboundAt, this.now())) {
        await this.nudgeForWindow(sender, row, message);
        return;
      }
      const result = await sender.send(message);
      await rows.settle(this.db, row.id, result.status, result.providerMessageId);
      this.metrics.sends.inc({ channel: row.channel, status: result.status });
    } catch (error) {
      await this.recordFailure(row, message, error);
      throw error;
    }
  }

  /** Automated messages that are not replies wait for daytime in the patient's time zone (else the practice's). */
  private async heldForQuietHours(row: rows.ClaimedRow, message: MessageToSend): Promise<boolean> {
    if (row.author !== 'bot' || row.inbound_message_id !== null || !QUIET_HOURS_CHANNELS.has(row.channel)) return false;
    const now = this.now();
    const sendAt = nextSendingTime(now, await this.options.sendingHours(message.practiceId));
    if (sendAt <= now) return false;
    await rows.hold(this.db, row.id, sendAt);
    this.metrics.sends.inc({ channel: row.channel, status: 'held' });
    return true;
  }

  /** One template per silence: later messages join the first in waiting for the patient's reply. */
  private async nudgeForWindow(sender: ChannelSender, row: rows.ClaimedRow, message: MessageToSend): Promise<void> {
    if (!(await rows.hasAwaitingReply(this.db, row.conversation_id))) await sender.sendWindowNudge?.(message);
    await rows.awaitReply(this.db, row.id);
    this.metrics.sends.inc({ channel: row.channel, status: 'awaiting_reply' });
  }

  /** Records why an attempt failed; the caller rethrows so a transient failure is retried by the queue. */
  private async recordFailure(row: rows.ClaimedRow, message: MessageToSend, error: unknown): Promise<void> {
    // An unexpected error leaves the row in `sending`: its next attempt reconciles before sending again.
    if (!(error instanceof SendError)) return;
    if (error.kind === 'transient') {
      if (!error.maybeDelivered) await rows.release(this.db, row.id);
      return;
    }
    await rows.fail(this.db, row.id, 'failed', error.providerCode ?? error.kind);
    if (error.kind === 'opted_out') await this.recordProviderOptOut({ ...message, outboundMessageId: row.id });
    this.metrics.sends.inc({ channel: row.channel, status: 'failed' });
    this.logger.warn({ outboundMessageId: row.id, channel: row.channel, kind: error.kind, code: error.providerCode }, 'send failed permanently');
  }

  /** Twilio 21610: the number opted out with the carrier or Twilio; recorded in the consent ledger like a STOP. */
  private async recordProviderOptOut(about: { practiceId: string; contactId: string; channel: string; outboundMessageId: number }): Promise<void> {
    const change = { ...about, optedOut: true, source: 'provider' as const, evidence: { outboundMessageId: about.outboundMessageId, providerCode: '21610' } };
    await this.db.transaction().execute((trx) => recordOptOut(trx, this.options.consent, change));
  }

  private async findByProviderStatus(update: Parameters<ProviderStatusSink['recordProviderStatus']>[0]) {
    const query = this.db
      .selectFrom('outbound_messages')
      .innerJoin('conversations', 'conversations.id', 'outbound_messages.conversation_id')
      .select(['outbound_messages.id', 'outbound_messages.status', 'outbound_messages.provider_message_id', 'conversations.contact_id', 'conversations.practice_id'])
      .where('outbound_messages.channel', '=', update.channel);
    const known = await query.where('outbound_messages.provider_message_id', '=', update.providerMessageId).executeTakeFirst();
    if (known || update.outboundMessageId === undefined) return known;
    // The callback came before (or instead of) the API's answer: it names our row, mid-send, whose provider id we lack.
    return query
      .where('outbound_messages.id', '=', update.outboundMessageId)
      .where('outbound_messages.status', '=', 'sending')
      .where('outbound_messages.provider_message_id', 'is', null)
      .executeTakeFirst();
  }

  /** The row as its sender takes it, released by the PHI gate; undefined when the gate holds it back. */
  private async messageToSend(row: rows.ClaimedRow): Promise<MessageToSend | undefined> {
    const conversation = await this.db
      .selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .select(['contacts.id as contact_id', 'contacts.address_enc', 'conversations.practice_id', 'conversations.last_inbound_at', 'conversations.language'])
      .where('conversations.id', '=', row.conversation_id)
      .executeTakeFirstOrThrow();
    const message = {
      outboundMessageId: row.id,
      contactId: conversation.contact_id,
      practiceId: conversation.practice_id,
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
    return this.options.gate.release(this.db, message, { classification: row.classification, practiceId: message.practiceId, contactId: message.contactId });
  }
}
