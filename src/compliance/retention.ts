/**
 * The retention run (`concierge retention run`, and daily in the worker): message bodies and dialog state older than
 * the practice's period are purged, staff notes and secure-link replies with them (the rows stay, so delivery history and sequence numbers survive), and the
 * secure page's short-lived records (rate-limit windows, expired codes, used chat handoffs) are deleted once they
 * can no longer matter. Audit events are never touched here: they are kept at least six years (DESIGN §6).
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database, OutboundStatus } from '../db/schema';
import { practiceProfileSchema } from '../practice/practice-profile';

const DAY_MS = 24 * 60 * 60_000;
/** Rate-limit windows are at most an hour and codes live minutes: a day later they count for nothing. */
const SHORT_LIVED_GRACE_MS = DAY_MS;
/** Still being delivered: their bodies are needed. */
const UNFINISHED_STATUSES: readonly OutboundStatus[] = ['queued', 'sending', 'held', 'awaiting_reply'];

export interface RetentionResult {
  readonly inboundBodies: number;
  readonly outboundBodies: number;
  /** Staff notes and replies sent behind a secure link. */
  readonly staffBodies: number;
  readonly dialogStates: number;
  readonly rateLimitCounters: number;
  readonly otpChallenges: number;
  readonly chatHandoffs: number;
}

export async function runRetention(db: Kysely<Database>, audit: AuditLog, now = new Date()): Promise<RetentionResult> {
  return db.transaction().execute(async (trx) => {
    const practices = await trx.selectFrom('practices').select(['id', 'profile']).execute();
    let inboundBodies = 0;
    let outboundBodies = 0;
    let staffBodies = 0;
    let shortestCutoff: Date | undefined;
    for (const practice of practices) {
      const days = practiceProfileSchema.shape.retention.parse(
        (practice.profile as { retention?: unknown } | null)?.retention,
      ).messageBodyDays;
      const cutoff = new Date(now.getTime() - days * DAY_MS);
      if (!shortestCutoff || cutoff > shortestCutoff) shortestCutoff = cutoff;
      const conversations = trx.selectFrom('conversations').select('id').where('practice_id', '=', practice.id);
      const inbound = await trx
        .updateTable('inbound_messages')
        .set({ body_enc: null, payload_enc: null })
        .where('conversation_id', 'in', conversations)
        .where('received_at', '<', cutoff)
        .where('processed_at', 'is not', null)
        .where((eb) => eb.or([eb('body_enc', 'is not', null), eb('payload_enc', 'is not', null)]))
        .executeTakeFirst();
      const outbound = await trx
        .updateTable('outbound_messages')
        .set({ body_enc: null, quick_replies_enc: null })
        .where('conversation_id', 'in', conversations)
        .where('created_at', '<', cutoff)
        .where('status', 'not in', UNFINISHED_STATUSES)
        .where((eb) => eb.or([eb('body_enc', 'is not', null), eb('quick_replies_enc', 'is not', null)]))
        .executeTakeFirst();
      for (const table of ['inbox_notes', 'staff_secure_messages'] as const) {
        const cleared = await trx
          .updateTable(table)
          .set({ body_enc: null })
          .where('conversation_id', 'in', conversations)
          .where('created_at', '<', cutoff)
          .where('body_enc', 'is not', null)
          .executeTakeFirst();
        staffBodies += Number(cleared.numUpdatedRows);
      }
      inboundBodies += Number(inbound.numUpdatedRows);
      outboundBodies += Number(outbound.numUpdatedRows);
    }
    // Dialog state is keyed by an HMAC that names no practice: the shortest period among practices applies.
    const dialogStates = shortestCutoff
      ? await trx.deleteFrom('dialog_state').where('updated_at', '<', shortestCutoff).executeTakeFirst()
      : { numDeletedRows: 0n };
    const graceCutoff = new Date(now.getTime() - SHORT_LIVED_GRACE_MS);
    const counters = await trx
      .deleteFrom('rate_limit_counters')
      .where('window_start', '<', graceCutoff)
      .executeTakeFirst();
    const challenges = await trx
      .deleteFrom('otp_challenges')
      .where('expires_at', '<', graceCutoff)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .executeTakeFirst();
    const handoffs = await trx
      .deleteFrom('verified_chat_handoffs')
      .where('expires_at', '<', graceCutoff)
      .executeTakeFirst();
    const result: RetentionResult = {
      inboundBodies,
      outboundBodies,
      staffBodies,
      dialogStates: Number(dialogStates.numDeletedRows),
      rateLimitCounters: Number(counters.numDeletedRows),
      otpChallenges: Number(challenges.numDeletedRows),
      chatHandoffs: Number(handoffs.numDeletedRows),
    };
    await audit.append(trx, { actor: 'system', action: 'retention.run', purpose: 'retention', details: { ...result } });
    return result;
  });
}
