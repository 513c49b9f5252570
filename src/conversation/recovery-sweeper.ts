/**
 * Re-enqueues work whose job was lost (the process died between commit and enqueue, or Redis restarted without its
 * data): inbound messages still unprocessed and outbound messages still queued after a grace period, or left in
 * `sending` past the reconcile window. Also puts messages held for quiet hours back in line when their time comes.
 * Job ids are deterministic, so work that is already queued is not duplicated.
 */
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { DEFAULT_RECONCILE_MS } from '../channels/outbox-service';
import { releaseDueHeld } from '../channels/outbox-rows';
import type { Logger } from '../observability/logger';
import { type ProcessInboundJobData, processInboundQueue } from '../queues/process-inbound-queue';
import { type SendOutboundJobData, sendOutboundQueue } from '../queues/send-outbound-queue';

const GRACE_MS = 5_000;
const BATCH = 500;

export interface RecoveryDeps {
  readonly db: Kysely<Database>;
  readonly inboundQueue: Queue<ProcessInboundJobData>;
  readonly sendQueue: Queue<SendOutboundJobData>;
  readonly logger: Logger;
  /** The clock quiet-hours holds are released by (tests pin it). */
  readonly now?: () => Date;
}

/** One sweep; returns how many pending rows it found. `graceMs` 0 sweeps everything (at start-up). */
export async function sweepLostWork(deps: RecoveryDeps, graceMs = GRACE_MS): Promise<number> {
  const before = new Date(Date.now() - graceMs);
  const inbound = await deps.db
    .selectFrom('inbound_messages')
    .select(['id', 'conversation_id'])
    .where('processed_at', 'is', null)
    .where('received_at', '<=', before)
    .orderBy('id')
    .limit(BATCH)
    .execute();
  for (const row of inbound) {
    await processInboundQueue.addJob(deps.inboundQueue, { conversationId: row.conversation_id, inboundMessageId: row.id });
  }
  const released = await releaseDueHeld(deps.db, deps.now?.() ?? new Date(), BATCH);
  const outbound = await deps.db
    .selectFrom('outbound_messages')
    .select('id')
    .where((where) =>
      where.or([
        where.and([where('status', '=', 'queued'), where('created_at', '<=', before)]),
        where.and([where('status', '=', 'sending'), where('claimed_at', '<=', new Date(before.getTime() - DEFAULT_RECONCILE_MS))]),
      ]),
    )
    .orderBy('id')
    .limit(BATCH)
    .execute();
  const outboundIds = [...new Set([...released, ...outbound.map((row) => row.id)])];
  for (const id of outboundIds) await sendOutboundQueue.addJob(deps.sendQueue, { outboundMessageId: id });
  const total = inbound.length + outboundIds.length;
  // Adding is a no-op for work whose job still exists; this counts pending rows, not new jobs.
  if (total > 0) deps.logger.info({ inbound: inbound.length, outbound: outboundIds.length, released: released.length }, 'pending work found; jobs ensured');
  return total;
}
